using Gateway.Configuration;
using Gateway.Health;
using Gateway.LoadBalancing;
using Gateway.Reliability;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace Gateway.Admin;

/// <summary>Assembles <c>/api/state</c> from YARP's runtime model and the gateway's own records.</summary>
internal sealed class StateReport(
    IProxyStateLookup proxyState,
    ConfigurationTracker configuration,
    DestinationAdminStates adminStates,
    DestinationHealthLog healthLog,
    DestinationTraffic traffic,
    DestinationQueues queues,
    TimeProvider timeProvider)
{
    public StateDocument Build()
    {
        var revision = configuration.Current;
        var clusters = proxyState.GetClusters()
            .OrderBy(c => c.ClusterId, StringComparer.Ordinal)
            .Select(BuildCluster)
            .ToArray();
        return new StateDocument(
            timeProvider.GetUtcNow().UtcDateTime,
            new ConfigInfo(revision?.Id, revision?.AppliedAt.UtcDateTime, configuration.LastError),
            clusters);
    }

    public DestinationInfo BuildDestination(ClusterState cluster, DestinationState destination)
    {
        var clusterId = cluster.ClusterId;
        var counters = traffic.For(destination);
        var (rate, latency) = counters.Window(timeProvider.GetTimestamp(), timeProvider.TimestampFrequency);
        var lastCheck = healthLog.GetLastCheck(clusterId, destination.DestinationId);
        return new DestinationInfo(
            destination.DestinationId,
            destination.Model.Config.Address,
            DestinationWeight.Of(destination),
            DestinationHealthStatus.Of(cluster, destination),
            AdminStateNames.Of(adminStates.Get(clusterId, destination.DestinationId)),
            destination.ConcurrentRequestCount,
            queues.GetQueued(destination),
            counters.Total,
            counters.Failed,
            rate is { } r ? Math.Round(r, 2) : null,
            latency is { } l ? Math.Round(l, 2) : null,
            lastCheck is null ? null : new CheckInfo(lastCheck.At.UtcDateTime, lastCheck.Ok, lastCheck.Status, Math.Round(lastCheck.DurationMs, 2), lastCheck.Error),
            healthLog.GetTransitions(clusterId, destination.DestinationId)
                .Select(t => new TransitionInfo(t.At.UtcDateTime, t.Direction, t.Reason))
                .ToArray());
    }

    private ClusterInfo BuildCluster(ClusterState cluster)
    {
        var config = cluster.Model.Config;
        return new ClusterInfo(
            cluster.ClusterId,
            config.LoadBalancingPolicy ?? LoadBalancingPolicies.PowerOfTwoChoices,
            config.HealthCheck?.Active?.Enabled == true,
            config.HealthCheck?.Passive?.Enabled == true,
            cluster.Destinations.Values
                .OrderBy(d => d.DestinationId, StringComparer.Ordinal)
                .Select(d => BuildDestination(cluster, d))
                .ToArray());
    }
}
