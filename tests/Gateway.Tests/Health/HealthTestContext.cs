using Gateway.Admin;
using Gateway.Health;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Gateway.Tests.Health;

/// <summary>The health services wired as the gateway wires them, on a fake clock, with one cluster.</summary>
internal sealed class HealthTestContext
{
    private static readonly HttpMessageInvoker s_invoker = new(new SocketsHttpHandler());

    public HealthTestContext(
        int destinations = 2,
        Dictionary<string, string>? metadata = null,
        bool active = true,
        bool passive = false,
        TimeSpan? reactivationPeriod = null,
        TimeSpan? timeout = null)
    {
        SlowStart = new SlowStartWeights(Time);
        Updater = new AvailableDestinationsRecomputer();
        Transitions = new HealthTransitions(Updater, HealthLog, AdminStates, SlowStart, Time);
        var config = new ClusterConfig
        {
            ClusterId = "web",
            Metadata = metadata,
            HealthCheck = new HealthCheckConfig
            {
                Active = new ActiveHealthCheckConfig { Enabled = active, Policy = RiseFallHealthPolicy.PolicyName, Timeout = timeout ?? TimeSpan.FromSeconds(1) },
                Passive = new PassiveHealthCheckConfig { Enabled = passive, Policy = OutlierDetectionHealthPolicy.PolicyName, ReactivationPeriod = reactivationPeriod },
            },
        };
        Cluster = new ClusterState("web", new ClusterModel(config, s_invoker));
        for (var i = 1; i <= destinations; i++)
        {
            var destination = new DestinationState($"web{i}", new DestinationModel(new DestinationConfig { Address = $"http://web{i}.test/" }));
            Cluster.Destinations[destination.DestinationId] = destination;
        }

        var all = Cluster.Destinations.Values.OrderBy(d => d.DestinationId, StringComparer.Ordinal).ToArray();
        Cluster.DestinationsState = new ClusterDestinationsState(all, all);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public DestinationHealthLog HealthLog { get; } = new();

    public DestinationAdminStates AdminStates { get; } = new();

    public SlowStartWeights SlowStart { get; }

    public ProbeDurations Durations { get; } = new();

    public AvailableDestinationsRecomputer Updater { get; }

    public HealthTransitions Transitions { get; }

    public ClusterState Cluster { get; }

    public DestinationState this[string id] => Cluster.Destinations[id];

    public IReadOnlyList<string> Available => Cluster.DestinationsState.AvailableDestinations.Select(d => d.DestinationId).ToArray();

    public RiseFallHealthPolicy CreateRiseFall()
        => new(Transitions, HealthLog, Durations, Options.Create(new ActiveHealthCheckMonitorOptions()), Time, NullLogger<RiseFallHealthPolicy>.Instance);

    public OutlierDetectionHealthPolicy CreateOutlierDetection()
        => new(Transitions, Time, NullLogger<OutlierDetectionHealthPolicy>.Instance);

    /// <summary>One probing round: each listed destination answers the status, or fails with the exception.</summary>
    public void Probe(RiseFallHealthPolicy policy, params (string Destination, object Outcome)[] results)
    {
        var probes = results.Select(r => r.Outcome switch
        {
            int status => new DestinationProbingResult(this[r.Destination], new HttpResponseMessage((System.Net.HttpStatusCode)status), null),
            Exception exception => new DestinationProbingResult(this[r.Destination], null, exception),
            _ => throw new ArgumentException("An outcome is a status code or an exception.", nameof(results)),
        }).ToArray();
        policy.ProbingCompleted(Cluster, probes);
    }

    /// <summary>YARP's updater with the <c>HealthyAndUnknown</c> rule, counting its calls.</summary>
    internal sealed class AvailableDestinationsRecomputer : IClusterDestinationsUpdater
    {
        public int Updates { get; private set; }

        public void UpdateAllDestinations(ClusterState cluster) => UpdateAvailableDestinations(cluster);

        public void UpdateAvailableDestinations(ClusterState cluster)
        {
            Updates++;
            var all = cluster.DestinationsState.AllDestinations;
            cluster.DestinationsState = new ClusterDestinationsState(all, all.Where(d => HealthTransitions.IsInService(cluster, d)).ToArray());
        }
    }
}
