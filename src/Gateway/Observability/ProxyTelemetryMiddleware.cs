using Yarp.ReverseProxy.Model;

namespace Gateway.Observability;

/// <summary>
/// The first step of the proxy pipeline: counts the request in and out of the metrics, times it, and writes
/// its access-log event once YARP has finished with it (response copied, or failure reported).
/// </summary>
internal sealed class ProxyTelemetryMiddleware
{
    private readonly RequestDelegate _next;
    private readonly GatewayMetrics _metrics;
    private readonly AccessLog _accessLog;
    private readonly TimeProvider _timeProvider;

    public ProxyTelemetryMiddleware(RequestDelegate next, GatewayMetrics metrics, AccessLog accessLog, TimeProvider timeProvider)
    {
        _next = next;
        _metrics = metrics;
        _accessLog = accessLog;
        _timeProvider = timeProvider;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var proxy = context.GetReverseProxyFeature();
        var telemetry = new ProxyRequestTelemetry();
        context.Features.Set(telemetry);

        var startedAt = _timeProvider.GetTimestamp();
        var active = _metrics.RequestStart(proxy.Route.Config.RouteId, proxy.Cluster.Config.ClusterId);
        var threw = true;
        try
        {
            await _next(context);
            threw = false;
        }
        finally
        {
            Complete(context, proxy, telemetry, active, startedAt, threw);
        }
    }

    private void Complete(HttpContext context, IReverseProxyFeature proxy, ProxyRequestTelemetry telemetry, ActiveRequests active, long startedAt, bool threw)
    {
        var endedAt = _timeProvider.GetTimestamp();
        var destinationId = proxy.ProxiedDestination?.DestinationId;

        // An exception is turned into a 500 further out, unless the response had already started.
        var statusCode = threw && !context.Response.HasStarted ? StatusCodes.Status500InternalServerError : context.Response.StatusCode;
        _metrics.RequestStop(active, destinationId, statusCode);

        TimeSpan? upstream = null;
        if (telemetry.UpstreamRespondedAt != 0)
        {
            upstream = _timeProvider.GetElapsedTime(telemetry.UpstreamSentAt, telemetry.UpstreamRespondedAt);
            if (destinationId is not null)
            {
                _metrics.UpstreamResponded(active.ClusterId, destinationId, upstream.Value);
            }
        }

        if (_accessLog.IsEnabled)
        {
            _accessLog.Write(
                context.Connection.RemoteIpAddress,
                context.Request.Method,
                context.Request.Path.Value,
                statusCode,
                active.RouteId,
                active.ClusterId,
                destinationId,
                _timeProvider.GetElapsedTime(startedAt, endedAt),
                upstream,
                threw ? ProxyOutcome.GatewayError : ProxyOutcome.Of(context, proxy, telemetry));
        }
    }
}
