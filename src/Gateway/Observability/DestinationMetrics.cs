using System.Diagnostics.Metrics;
using Gateway.Admin;
using Gateway.Health;
using Gateway.Reliability;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;

namespace Gateway.Observability;

/// <summary>
/// Per-destination gauges read from YARP's live state when metrics are collected, so they cost nothing per
/// request. Health and admin state are Prometheus state sets: one series per possible state, 1 for the
/// current one and 0 for the others, so that <c>== 1</c> selects and a change never leaves a stale series.
/// </summary>
public sealed class DestinationMetrics
{
    public const string StateTag = "state";

    private static readonly string[] HealthStates = ["up", "down", "unknown"];
    private static readonly string[] AdminStates = ["ready", "drain", "maint"];

    private readonly IProxyStateLookup _proxyState;
    private readonly DestinationAdminStates _adminStates;
    private readonly DestinationQueues _queues;

    public DestinationMetrics(IMeterFactory meterFactory, IProxyStateLookup proxyState, DestinationAdminStates adminStates, DestinationQueues queues)
    {
        _proxyState = proxyState;
        _adminStates = adminStates;
        _queues = queues;
        var meter = meterFactory.Create(GatewayMetrics.MeterName);

        meter.CreateObservableGauge(
            "gateway.destination.health",
            ObserveHealth,
            unit: "{state}",
            description: "Destination health (active and passive checks combined): 1 for the current state (up, down, unknown), else 0.");

        meter.CreateObservableGauge(
            "gateway.destination.admin_state",
            ObserveAdminState,
            unit: "{state}",
            description: "Destination admin state set through the runtime API: 1 for the current state (ready, drain, maint), else 0.");

        meter.CreateObservableGauge(
            "gateway.destination.active_requests",
            ObserveActiveRequests,
            unit: "{request}",
            description: "Requests being forwarded to the destination now.");

        meter.CreateObservableGauge(
            "gateway.destination.queued",
            ObserveQueued,
            unit: "{request}",
            description: "Requests waiting for one of the destination's MaxConnections slots now.");
    }

    private IEnumerable<Measurement<int>> ObserveHealth()
    {
        foreach (var (cluster, destination) in Destinations())
        {
            var current = DestinationHealthStatus.Of(cluster, destination);
            foreach (var state in HealthStates)
            {
                yield return StateMeasurement(cluster, destination, state, current);
            }
        }
    }

    private IEnumerable<Measurement<int>> ObserveAdminState()
    {
        foreach (var (cluster, destination) in Destinations())
        {
            var current = AdminStateNames.Of(_adminStates.Get(cluster.ClusterId, destination.DestinationId));
            foreach (var state in AdminStates)
            {
                yield return StateMeasurement(cluster, destination, state, current);
            }
        }
    }

    private IEnumerable<Measurement<int>> ObserveActiveRequests() => ObservePerDestination(static (_, destination) => destination.ConcurrentRequestCount);

    private IEnumerable<Measurement<int>> ObserveQueued() => ObservePerDestination((_, destination) => _queues.GetQueued(destination));

    private IEnumerable<Measurement<int>> ObservePerDestination(Func<ClusterState, DestinationState, int> value)
    {
        foreach (var (cluster, destination) in Destinations())
        {
            yield return new Measurement<int>(
                value(cluster, destination),
                new KeyValuePair<string, object?>(GatewayMetrics.ClusterTag, cluster.ClusterId),
                new KeyValuePair<string, object?>(GatewayMetrics.DestinationTag, destination.DestinationId));
        }
    }

    private static Measurement<int> StateMeasurement(ClusterState cluster, DestinationState destination, string state, string current)
        => new(
            state == current ? 1 : 0,
            new KeyValuePair<string, object?>(GatewayMetrics.ClusterTag, cluster.ClusterId),
            new KeyValuePair<string, object?>(GatewayMetrics.DestinationTag, destination.DestinationId),
            new KeyValuePair<string, object?>(StateTag, state));

    private IEnumerable<(ClusterState Cluster, DestinationState Destination)> Destinations()
    {
        foreach (var cluster in _proxyState.GetClusters())
        {
            foreach (var destination in cluster.DestinationsState.AllDestinations)
            {
                yield return (cluster, destination);
            }
        }
    }
}
