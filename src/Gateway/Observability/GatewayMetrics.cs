using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Gateway.Observability;

/// <summary>
/// The gateway's own request and control-plane instruments, on the <see cref="MeterName"/> meter. Built like
/// ASP.NET Core's <c>XxxMetrics</c> classes: one per container from <see cref="IMeterFactory"/>, and every
/// method checks <c>Enabled</c> before it builds tags, so an unobserved instrument costs a field read.
/// </summary>
public sealed class GatewayMetrics
{
    public const string MeterName = "Gateway";

    // Prometheus turns a dotted label into an underscored one; short names keep PromQL readable.
    public const string RouteTag = "route";
    public const string ClusterTag = "cluster";
    public const string DestinationTag = "destination";
    public const string StatusClassTag = "status_class";
    public const string DirectionTag = "direction";
    public const string ResultTag = "result";

    private static readonly string[] StatusClasses = ["1xx", "2xx", "3xx", "4xx", "5xx"];

    private readonly Counter<long> _requests;
    private readonly UpDownCounter<long> _activeRequests;
    private readonly Histogram<double> _upstreamDuration;
    private readonly Counter<long> _healthTransitions;
    private readonly Counter<long> _configurationReloads;

    public GatewayMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);

        _requests = meter.CreateCounter<long>(
            "gateway.proxy.requests",
            unit: "{request}",
            description: "Proxied requests completed, by route, cluster, destination and status class.");

        _activeRequests = meter.CreateUpDownCounter<long>(
            "gateway.proxy.active_requests",
            unit: "{request}",
            description: "Requests in the proxy pipeline (queued or forwarded), by route and cluster.");

        _upstreamDuration = meter.CreateHistogram<double>(
            "gateway.proxy.upstream.duration",
            unit: "s",
            description: "Time from sending a request to a destination until its response headers arrived.",
            advice: new InstrumentAdvice<double>
            {
                HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30],
            });

        _healthTransitions = meter.CreateCounter<long>(
            "gateway.health.transitions",
            unit: "{transition}",
            description: "Destinations going up or down by the active health checks.");

        _configurationReloads = meter.CreateCounter<long>(
            "gateway.config.reloads",
            unit: "{reload}",
            description: "Configuration reloads, applied or rejected.");
    }

    public void RequestStart(string routeId, string clusterId)
    {
        if (_activeRequests.Enabled)
        {
            _activeRequests.Add(1, new TagList { { RouteTag, routeId }, { ClusterTag, clusterId } });
        }
    }

    public void RequestStop(string routeId, string clusterId, string? destinationId, int statusCode)
    {
        if (_activeRequests.Enabled)
        {
            _activeRequests.Add(-1, new TagList { { RouteTag, routeId }, { ClusterTag, clusterId } });
        }

        if (_requests.Enabled)
        {
            _requests.Add(1, new TagList
            {
                { RouteTag, routeId },
                { ClusterTag, clusterId },
                { DestinationTag, destinationId ?? string.Empty },
                { StatusClassTag, StatusClass(statusCode) },
            });
        }
    }

    public void UpstreamResponded(string clusterId, string destinationId, TimeSpan duration)
    {
        if (_upstreamDuration.Enabled)
        {
            _upstreamDuration.Record(duration.TotalSeconds, new TagList { { ClusterTag, clusterId }, { DestinationTag, destinationId } });
        }
    }

    public void HealthTransition(string clusterId, string destinationId, bool up)
    {
        if (_healthTransitions.Enabled)
        {
            _healthTransitions.Add(1, new TagList { { ClusterTag, clusterId }, { DestinationTag, destinationId }, { DirectionTag, up ? "up" : "down" } });
        }
    }

    public void ConfigurationReload(bool applied) => AddConfigurationReloads(applied, 1);

    /// <summary>
    /// Publishes both reload series at 0, so that an alert on the increase of rejected reloads also fires
    /// for the first one (a series that appears at 1 has no increase).
    /// </summary>
    public void PublishConfigurationReloads()
    {
        AddConfigurationReloads(applied: true, 0);
        AddConfigurationReloads(applied: false, 0);
    }

    private void AddConfigurationReloads(bool applied, long count)
    {
        if (_configurationReloads.Enabled)
        {
            _configurationReloads.Add(count, new KeyValuePair<string, object?>(ResultTag, applied ? "applied" : "rejected"));
        }
    }

    internal static string StatusClass(int statusCode)
        => statusCode is >= 100 and < 600 ? StatusClasses[(statusCode / 100) - 1] : "other";
}
