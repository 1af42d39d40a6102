using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Gateway.Health;

/// <summary>
/// <c>RiseFall</c>: HAProxy's <c>check inter … rise R fall F</c> with <c>http-check expect status</c>, on
/// YARP's active prober (its <c>Interval</c>, <c>Timeout</c> and <c>Path</c>). Every probe is recorded in the
/// <see cref="DestinationHealthLog"/>; <c>Fall</c> consecutive failures take a destination out of service and
/// <c>Rise</c> consecutive good probes bring it back, each logged once at Warning. Probes of a destination in
/// maintenance are ignored. The state is kept per destination, which YARP keeps across reloads while its id stays.
/// </summary>
internal sealed partial class RiseFallHealthPolicy(
    HealthTransitions transitions,
    DestinationHealthLog healthLog,
    ProbeDurations durations,
    IOptions<ActiveHealthCheckMonitorOptions> monitorOptions,
    TimeProvider timeProvider,
    ILogger<RiseFallHealthPolicy> logger) : IActiveHealthCheckPolicy
{
    public const string PolicyName = "RiseFall";

    private readonly ConditionalWeakTable<DestinationState, RiseFallState> _states = new();

    public string Name => PolicyName;

    public void ProbingCompleted(ClusterState cluster, IReadOnlyList<DestinationProbingResult> probingResults)
    {
        var settings = HealthSettings.Of(cluster.Model);
        var timeout = cluster.Model.Config.HealthCheck?.Active?.Timeout ?? monitorOptions.Value.DefaultTimeout;
        var changed = false;
        foreach (var result in probingResults)
        {
            var destination = result.Destination;
            var duration = durations.Take(cluster.ClusterId, destination.DestinationId);
            var state = _states.GetValue(destination, static d => new RiseFallState(down: d.Health.Active == DestinationHealth.Unhealthy));
            if (transitions.IsInMaintenance(cluster, destination))
            {
                state.ResetStreak();
                continue;
            }

            var outcome = ProbeOutcome.Evaluate(result, settings.ExpectedStatus, timeout);
            // YARP traces every probe; without a trace (a test calling the policy directly) the duration reads as 0.
            healthLog.RecordCheck(cluster.ClusterId, destination.DestinationId,
                new HealthCheckResult(timeProvider.GetUtcNow(), outcome.Ok, outcome.Status, duration ?? 0, outcome.Error));

            switch (state.Record(outcome.Ok, outcome.Error, settings.Rise, settings.Fall, out var streak))
            {
                case RiseFallChange.WentDown:
                    Log.Transition(logger, cluster.ClusterId, destination.DestinationId, HealthTransitions.Down, streak, "failed", outcome.Error!);
                    changed |= transitions.Set(cluster, destination, HealthSource.Active, DestinationHealth.Unhealthy, outcome.Error!);
                    break;
                case RiseFallChange.CameUp:
                    Log.Transition(logger, cluster.ClusterId, destination.DestinationId, HealthTransitions.Up, streak, "good", state.LastFailure ?? "none");
                    changed |= transitions.Set(cluster, destination, HealthSource.Active, DestinationHealth.Healthy, $"status {outcome.Status}");
                    break;
                default:
                    // The first probe of a destination that is still UP says so; a partial count changes nothing.
                    if (destination.Health.Active == DestinationHealth.Unknown && !state.IsDown)
                    {
                        transitions.Set(cluster, destination, HealthSource.Active, DestinationHealth.Healthy, "first probe");
                    }

                    break;
            }
        }

        if (changed)
        {
            transitions.UpdateAvailableDestinations(cluster);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3001, Level = LogLevel.Warning,
            Message = "Health check: destination {ClusterId}/{DestinationId} is {Direction} after {Count} consecutive {ProbeKind} probes; last failure: {LastFailure}")]
        public static partial void Transition(ILogger logger, string clusterId, string destinationId, string direction, int count, string probeKind, string lastFailure);
    }
}
