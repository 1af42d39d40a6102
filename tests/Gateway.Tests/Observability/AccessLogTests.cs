using System.Net;
using Gateway.Observability;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace Gateway.Tests.Observability;

public sealed class AccessLogTests
{
    [Fact]
    public void Write_OneEvent_AllocatesUnderOneKilobyte()
    {
        var accessLog = new AccessLog(new LoggerConfiguration().Enrich.FromLogContext().WriteTo.Sink(new NullSink()).CreateLogger(), TimeProvider.System);

        // The event, its property dictionary and the values that differ per request (about 900 bytes); the
        // method, status code and outcome most requests share are built once.
        Assert.InRange(BytesPerEvent(accessLog), 1, 950);
    }

    /// <summary>What writing one typical event allocates on the calling thread, once warmed up.</summary>
    internal static double BytesPerEvent(AccessLog accessLog)
    {
        for (var i = 0; i < 1000; i++)
        {
            WriteTypical(accessLog);
        }

        const int Events = 10_000;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Events; i++)
        {
            WriteTypical(accessLog);
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before) / (double)Events;
    }

    /// <summary>A proxied GET answered 200 by its destination, as most of the access log's lines are.</summary>
    internal static void WriteTypical(AccessLog accessLog)
        => accessLog.Write(IPAddress.Loopback, "GET", "/", 200, "all", "web", "a", TimeSpan.FromMilliseconds(2), TimeSpan.FromMilliseconds(1), ProxyOutcome.Ok);

    [Fact]
    public void Write_SharedAndPerRequestValues_EachEventCarriesItsOwn()
    {
        var sink = new ListSink();
        var accessLog = new AccessLog(new LoggerConfiguration().WriteTo.Sink(sink).CreateLogger(), TimeProvider.System);

        accessLog.Write(IPAddress.Loopback, "GET", "/a", 200, "all", "web", "a", TimeSpan.FromMilliseconds(2), null, ProxyOutcome.Ok);
        accessLog.Write(IPAddress.Loopback, "POST", "/b", 503, "all", "web", null, TimeSpan.FromMilliseconds(2), null, ProxyOutcome.NoAvailableDestinations);
        accessLog.Write(IPAddress.Loopback, "get", "/c", 200, "all", "web", "a", TimeSpan.FromMilliseconds(2), null, ProxyOutcome.Ok);
        accessLog.Write(IPAddress.Loopback, "GET", "/d", 999, "all", "web", "a", TimeSpan.FromMilliseconds(2), null, ProxyOutcome.ConnectFailed);

        Assert.Equal(
            [("GET", 200, "Ok"), ("POST", 503, "NoAvailableDestinations"), ("get", 200, "Ok"), ("GET", 999, "ConnectFailed")],
            sink.Events.Select(e => ((string)ListSink.Scalar(e, "Method")!, (int)ListSink.Scalar(e, "StatusCode")!, (string)ListSink.Scalar(e, "Outcome")!)));
    }

    private sealed class NullSink : ILogEventSink
    {
        public void Emit(LogEvent logEvent)
        {
        }
    }
}
