using System.Net;
using BenchmarkDotNet.Attributes;
using Gateway.Observability;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace Gateway.Benchmarks.Observability;

/// <summary>
/// The per-request telemetry: the gateway's metrics with the production meter provider listening, and the
/// access log in its two halves, building and queueing the event on the request path, then formatting it
/// as compact JSON on the console writer's thread.
/// </summary>
[MemoryDiagnoser]
public class TelemetryBenchmarks
{
    private static readonly IPAddress s_client = IPAddress.Parse("203.0.113.7");
    private static readonly TimeSpan s_elapsed = TimeSpan.FromMicroseconds(812);
    private static readonly TimeSpan s_upstream = TimeSpan.FromMicroseconds(640);

    private WebApplication _app = null!;
    private GatewayMetrics _metrics = null!;
    private AccessLog _accessLog = null!;
    private LastEventSink _sink = null!;
    private CompactJsonFormatter _formatter = null!;
    private StringWriter _output = null!;

    [GlobalSetup]
    public void Setup()
    {
        _app = GatewayServices.BuildWithObservability();
        // Built as in production, so the instruments are enabled and every measurement is aggregated.
        _app.Services.GetRequiredService<MeterProvider>();
        _metrics = _app.Services.GetRequiredService<GatewayMetrics>();

        _sink = new LastEventSink();
        _accessLog = new AccessLog(new LoggerConfiguration().WriteTo.Sink(_sink).CreateLogger(), TimeProvider.System);
        WriteAccessLog();
        _formatter = new CompactJsonFormatter();
        _output = new StringWriter();
    }

    [GlobalCleanup]
    public ValueTask Cleanup() => _app.DisposeAsync();

    /// <summary>One proxied request's updates: in flight, upstream duration, completed by status class.</summary>
    [Benchmark]
    public void Metrics()
    {
        var active = _metrics.RequestStart("all", "backends");
        _metrics.UpstreamResponded("backends", "b1", s_upstream);
        _metrics.RequestStop(active, "b1", 200);
    }

    /// <summary>What the request waits for: the event built and handed to Serilog's sinks.</summary>
    [Benchmark]
    public void AccessLogEvent() => WriteAccessLog();

    /// <summary>What the console writer's thread does for each event before its batched write.</summary>
    [Benchmark]
    public void AccessLogFormat()
    {
        _output.GetStringBuilder().Clear();
        _formatter.Format(_sink.Last!, _output);
    }

    private void WriteAccessLog()
        => _accessLog.Write(s_client, "GET", "/small", 200, "all", "backends", "b1", s_elapsed, s_upstream, ProxyOutcome.Ok);

    private sealed class LastEventSink : ILogEventSink
    {
        public LogEvent? Last { get; private set; }

        public void Emit(LogEvent logEvent) => Last = logEvent;
    }
}
