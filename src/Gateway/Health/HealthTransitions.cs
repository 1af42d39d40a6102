using System.Runtime.CompilerServices;
using Gateway.Admin;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Gateway.Health;

/// <summary>Which of YARP's two health values a policy owns.</summary>
public enum HealthSource
{
    Active,
    Passive,
}

/// <summary>
/// Where the gateway's health policies write a destination's health. A destination is in service unless an
/// enabled check says it is unhealthy (YARP's <c>HealthyAndUnknown</c> rule); when a change takes it out of
/// or back into service, this records one <c>DOWN</c> or <c>UP</c> transition in the
/// <see cref="DestinationHealthLog"/> and starts its slow start. It writes YARP's health state directly,
/// not through YARP's updater, whose own Warning would log every transition a second time.
/// </summary>
public sealed class HealthTransitions(
    IClusterDestinationsUpdater clusterUpdater,
    DestinationHealthLog log,
    DestinationAdminStates adminStates,
    SlowStartWeights slowStart,
    TimeProvider timeProvider)
{
    public const string Up = "UP";
    public const string Down = "DOWN";

    private readonly ConditionalWeakTable<DestinationState, Lock> _locks = new();

    /// <summary>Maintenance pauses health checking: no probe or request result may change such a destination.</summary>
    public bool IsInMaintenance(ClusterState cluster, DestinationState destination)
        => adminStates.Get(cluster.ClusterId, destination.DestinationId) == AdminState.Maint;

    /// <summary>
    /// Sets one health value. Returns true when the destination went out of or back into service; the caller
    /// then calls <see cref="UpdateAvailableDestinations"/> once for the cluster.
    /// </summary>
    public bool Set(ClusterState cluster, DestinationState destination, HealthSource source, DestinationHealth health, string reason)
    {
        lock (_locks.GetValue(destination, static _ => new Lock()))
        {
            var wasInService = IsInService(cluster, destination);
            if (source == HealthSource.Active)
            {
                destination.Health.Active = health;
            }
            else
            {
                destination.Health.Passive = health;
            }

            var inService = IsInService(cluster, destination);
            if (wasInService == inService)
            {
                return false;
            }

            if (inService)
            {
                // Before YARP rebuilds the available set, so the first structure built with the destination already ramps.
                slowStart.Begin(cluster, destination, HealthSettings.Of(cluster.Model).SlowStart);
            }

            // Recorded under the lock, so the log never shows a destination's transitions out of order.
            log.RecordTransition(cluster.ClusterId, destination.DestinationId, new HealthTransition(timeProvider.GetUtcNow(), inService ? Up : Down, reason));
            return true;
        }
    }

    public void UpdateAvailableDestinations(ClusterState cluster) => clusterUpdater.UpdateAvailableDestinations(cluster);

    public static bool IsInService(ClusterState cluster, DestinationState destination)
    {
        var config = cluster.Model.Config.HealthCheck;
        var health = destination.Health;
        return !((config?.Active?.Enabled ?? false) && health.Active == DestinationHealth.Unhealthy)
            && !((config?.Passive?.Enabled ?? false) && health.Passive == DestinationHealth.Unhealthy);
    }
}
