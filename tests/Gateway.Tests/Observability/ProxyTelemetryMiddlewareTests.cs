using System.Net;
using Gateway.Observability;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;
using static Gateway.Tests.Observability.ListSink;

namespace Gateway.Tests.Observability;

public sealed class ProxyTelemetryMiddlewareTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly ListSink _sink = new();
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly RequestTransform _sent;
    private readonly ResponseTransform _responded;

    public ProxyTelemetryMiddlewareTests()
    {
        var builder = new TransformBuilderContext { Route = new RouteConfig { RouteId = "all" } };
        new UpstreamTimingTransformProvider(_time).Apply(builder);
        _sent = Assert.Single(builder.RequestTransforms);
        _responded = Assert.Single(builder.ResponseTransforms);
    }

    [Fact]
    public async Task Invoke_ForwardedRequest_TotalAndUpstreamTimesFromTheTransforms()
    {
        var (context, _) = ProxyOutcomeTests.Request(forwarded: true);
        context.Connection.RemoteIpAddress = IPAddress.Parse("192.0.2.10");
        context.Request.Method = "PUT";
        context.Request.Path = "/items/1";
        var middleware = Middleware(async ctx =>
        {
            _time.Advance(TimeSpan.FromMilliseconds(50));
            await SendAsync(ctx);
            _time.Advance(TimeSpan.FromMilliseconds(200));
            await RespondAsync(ctx, withResponse: true);
            ctx.Response.StatusCode = 201;
            _time.Advance(TimeSpan.FromMilliseconds(30));
        });

        await middleware.InvokeAsync(context);

        var entry = Assert.Single(_sink.Events);
        Assert.Equal(280.0, Scalar(entry, "ElapsedMs"));
        Assert.Equal(200.0, Scalar(entry, "UpstreamMs"));
        Assert.Equal(IPAddress.Parse("192.0.2.10"), Scalar(entry, "ClientIp"));
        Assert.Equal("PUT", Scalar(entry, "Method"));
        Assert.Equal("/items/1", Scalar(entry, "Path"));
        Assert.Equal(201, Scalar(entry, "StatusCode"));
        Assert.Equal("all", Scalar(entry, "RouteId"));
        Assert.Equal("web", Scalar(entry, "ClusterId"));
        Assert.Equal("a", Scalar(entry, "DestinationId"));
        Assert.Equal(ProxyOutcome.Ok, Scalar(entry, "Outcome"));
    }

    [Fact]
    public async Task Invoke_RetriedAfterAFailedAttempt_UpstreamTimeIsTheLastAttempts()
    {
        var (context, _) = ProxyOutcomeTests.Request(forwarded: true);
        var middleware = Middleware(async ctx =>
        {
            await SendAsync(ctx);
            _time.Advance(TimeSpan.FromMilliseconds(100));
            await RespondAsync(ctx, withResponse: false);
            await SendAsync(ctx);
            _time.Advance(TimeSpan.FromMilliseconds(40));
            await RespondAsync(ctx, withResponse: true);
        });

        await middleware.InvokeAsync(context);

        Assert.Equal(40.0, Scalar(Assert.Single(_sink.Events), "UpstreamMs"));
    }

    [Fact]
    public async Task Invoke_NoResponseHeaders_UpstreamMsNullAndNoLatencyRecorded()
    {
        var (context, _) = ProxyOutcomeTests.Request(forwarded: true);
        using var latency = new MetricCollector<double>(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), GatewayMetrics.MeterName, "gateway.proxy.upstream.duration");
        var middleware = Middleware(async ctx =>
        {
            await SendAsync(ctx);
            _time.Advance(TimeSpan.FromSeconds(1));
            await RespondAsync(ctx, withResponse: false);
            ctx.Response.StatusCode = 502;
        });

        await middleware.InvokeAsync(context);

        Assert.Null(Scalar(Assert.Single(_sink.Events), "UpstreamMs"));
        Assert.Empty(latency.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task Invoke_ResponseHeadersArrived_LatencyRecordedForTheDestination()
    {
        var (context, _) = ProxyOutcomeTests.Request(forwarded: true);
        using var latency = new MetricCollector<double>(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), GatewayMetrics.MeterName, "gateway.proxy.upstream.duration");
        var middleware = Middleware(async ctx =>
        {
            await SendAsync(ctx);
            _time.Advance(TimeSpan.FromMilliseconds(125));
            await RespondAsync(ctx, withResponse: true);
        });

        await middleware.InvokeAsync(context);

        var measurement = Assert.Single(latency.GetMeasurementSnapshot());
        Assert.Equal(0.125, measurement.Value, precision: 9);
        Assert.Equal("a", measurement.Tags[GatewayMetrics.DestinationTag]);
    }

    [Fact]
    public async Task Invoke_NextThrows_LogsGatewayError500RethrowsAndLeavesNoActiveRequest()
    {
        var (context, _) = ProxyOutcomeTests.Request(forwarded: false);
        using var active = new MetricCollector<long>(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), GatewayMetrics.MeterName, "gateway.proxy.active_requests");
        var middleware = Middleware(_ => throw new InvalidOperationException("boom"));

        await Assert.ThrowsAsync<InvalidOperationException>(() => middleware.InvokeAsync(context));

        var entry = Assert.Single(_sink.Events);
        Assert.Equal(500, Scalar(entry, "StatusCode"));
        Assert.Equal(ProxyOutcome.GatewayError, Scalar(entry, "Outcome"));
        active.RecordObservableInstruments();
        Assert.Equal(0, active.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    [Fact]
    public async Task Invoke_AccessLogSilencedByLevelOverride_NoEventButRequestCounted()
    {
        var (context, _) = ProxyOutcomeTests.Request(forwarded: true);
        using var requests = new MetricCollector<long>(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), GatewayMetrics.MeterName, "gateway.proxy.requests");
        var logger = new LoggerConfiguration()
            .MinimumLevel.Override(AccessLog.SourceContext, LogEventLevel.Warning)
            .WriteTo.Sink(_sink)
            .CreateLogger();
        var middleware = new ProxyTelemetryMiddleware(_ => Task.CompletedTask, Metrics(), new AccessLog(logger, _time), _time);

        await middleware.InvokeAsync(context);

        Assert.Empty(_sink.Events);
        Assert.Single(requests.GetMeasurementSnapshot());
    }

    [Fact]
    public void Write_Event_CarriesExactlyTheContractPropertiesAndItsSourceContext()
    {
        var accessLog = new AccessLog(new LoggerConfiguration().WriteTo.Sink(_sink).CreateLogger(), _time);

        accessLog.Write(null, "GET", "/", 503, "all", "web", null, TimeSpan.FromTicks(12_346), null, ProxyOutcome.NoAvailableDestinations);

        var entry = Assert.Single(_sink.Events);
        Assert.Equal(
            ["ClientIp", "ClusterId", "DestinationId", "ElapsedMs", "Method", "Outcome", "Path", "RouteId", "SourceContext", "StatusCode", "UpstreamMs"],
            entry.Properties.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(AccessLog.SourceContext, Scalar(entry, "SourceContext"));
        Assert.Null(Scalar(entry, "ClientIp"));
        Assert.Equal(1.235, Scalar(entry, "ElapsedMs"));
        Assert.Equal(_time.GetLocalNow(), entry.Timestamp);
        Assert.Equal(
            "null \"GET\" \"/\" 503 \"NoAvailableDestinations\" \"all\"/\"web\"/null in 1.235 ms (upstream null ms)",
            entry.RenderMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    private ProxyTelemetryMiddleware Middleware(RequestDelegate next)
        => new(next, Metrics(), new AccessLog(new LoggerConfiguration().WriteTo.Sink(_sink).CreateLogger(), _time), _time);

    private GatewayMetrics Metrics() => new(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());

    private ValueTask SendAsync(HttpContext context)
        => _sent.ApplyAsync(new RequestTransformContext { HttpContext = context, ProxyRequest = new HttpRequestMessage(), DestinationPrefix = "http://a/" });

    private ValueTask RespondAsync(HttpContext context, bool withResponse)
        => _responded.ApplyAsync(new ResponseTransformContext { HttpContext = context, ProxyResponse = withResponse ? new HttpResponseMessage() : null });

    public void Dispose() => _services.Dispose();
}
