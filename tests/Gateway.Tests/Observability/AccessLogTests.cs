using System.Net;
using Gateway.Observability;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace Gateway.Tests.Observability;

public sealed class AccessLogTests
{
    [Fact]
    public void Write_OneEvent_AllocatesAboutOneKilobyte()
    {
        var accessLog = new AccessLog(new LoggerConfiguration().Enrich.FromLogContext().WriteTo.Sink(new NullSink()).CreateLogger(), TimeProvider.System);
        for (var i = 0; i < 1000; i++)
        {
            Write(accessLog);
        }

        const int Events = 10_000;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Events; i++)
        {
            Write(accessLog);
        }

        var perEvent = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)Events;
        Assert.InRange(perEvent, 1, 1200);

        static void Write(AccessLog accessLog)
            => accessLog.Write(IPAddress.Loopback, "GET", "/", 200, "all", "web", "a", TimeSpan.FromMilliseconds(2), TimeSpan.FromMilliseconds(1), ProxyOutcome.Ok);
    }

    private sealed class NullSink : ILogEventSink
    {
        public void Emit(LogEvent logEvent)
        {
        }
    }
}
