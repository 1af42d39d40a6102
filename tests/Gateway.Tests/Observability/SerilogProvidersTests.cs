using System.Collections.Concurrent;
using System.Net;
using Gateway.Observability;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Observability;

/// <summary>
/// Serilog replaces the default logging providers; a provider a host or a test registers afterwards still gets
/// every event, the access log's too, through a sink Serilog adds only when there is such a provider.
/// </summary>
public sealed class SerilogProvidersTests
{
    [Fact]
    public async Task LaterProvider_ReceivesFrameworkLogsAndTheAccessLog()
    {
        var captured = new CapturingProvider();
        await using var app = Build(services => services.AddSingleton<ILoggerProvider>(captured));

        app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Gateway.Tests").LogWarning("from {Source}", "ILogger");
        WriteAccessLog(app.Services.GetRequiredService<AccessLog>());

        Assert.Contains(captured.Entries, e => e.Category == "Gateway.Tests" && e.Level == LogLevel.Warning && e.Message == "from \"ILogger\"");
        Assert.Contains(captured.Entries, e => e.Category == AccessLog.SourceContext && e.Level == LogLevel.Information);
    }

    [Fact]
    public async Task NoLaterProvider_TheAccessLogAllocatesOnlyItsEvent()
    {
        await using var app = Build(_ => { });
        var accessLog = app.Services.GetRequiredService<AccessLog>();
        for (var i = 0; i < 1000; i++)
        {
            WriteAccessLog(accessLog);
        }

        const int Events = 10_000;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Events; i++)
        {
            WriteAccessLog(accessLog);
        }

        // The event itself is about 900 bytes (AccessLogTests); the providers' sink, with no provider to call, added about 250 more.
        var perEvent = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)Events;
        Assert.InRange(perEvent, 1, 1000);
    }

    private static WebApplication Build(Action<IServiceCollection> laterServices)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = Path.GetTempPath() });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Serilog:MinimumLevel:Default"] = "Information",
        });
        builder.AddGatewayObservability();
        laterServices(builder.Services);
        return builder.Build();
    }

    private static void WriteAccessLog(AccessLog accessLog) => accessLog.Write(
        IPAddress.Loopback, "GET", "/small", 200, "all", "backends", "b1", TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(1), ProxyOutcome.Ok);

    private sealed class CapturingProvider : ILoggerProvider
    {
        private readonly ConcurrentQueue<(string Category, LogLevel Level, string Message)> _entries = new();

        public IReadOnlyList<(string Category, LogLevel Level, string Message)> Entries => _entries.ToArray();

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<(string, LogLevel, string)> entries) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
                => entries.Enqueue((category, logLevel, formatter(state, exception)));
        }
    }
}
