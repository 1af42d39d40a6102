using System.Diagnostics;
using Gateway.Health;
using Gateway.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;

namespace Gateway.IntegrationTests.Health;

/// <summary>Reads a running gateway's view of cluster <c>web</c>, and waits for it to change.</summary>
internal sealed class HealthProbe(GatewayFactory gateway)
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    public DestinationHealthLog Log => gateway.Services.GetRequiredService<DestinationHealthLog>();

    public ClusterState Cluster
        => gateway.Services.GetRequiredService<IProxyStateLookup>().TryGetCluster("web", out var cluster)
            ? cluster
            : throw new InvalidOperationException("Cluster 'web' is not loaded.");

    public IReadOnlyList<string> Available => Cluster.DestinationsState.AvailableDestinations.Select(d => d.DestinationId).Order().ToArray();

    public IReadOnlyList<HealthTransition> Transitions(string destination) => Log.GetTransitions("web", destination);

    public HealthCheckResult? LastCheck(string destination) => Log.GetLastCheck("web", destination);

    /// <summary>Polls until the condition holds and returns how long that took; fails at the deadline.</summary>
    public static async Task<TimeSpan> UntilAsync(Func<bool> condition, string what, TimeSpan? deadline = null)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!condition())
        {
            if (stopwatch.Elapsed > (deadline ?? Deadline))
            {
                Assert.Fail($"Timed out after {stopwatch.Elapsed.TotalSeconds:0.0} s waiting for: {what}");
            }

            await Task.Delay(10);
        }

        return stopwatch.Elapsed;
    }

    public Task<TimeSpan> UntilTransitionAsync(string destination, string direction, int count = 1)
        => UntilAsync(() => Transitions(destination).Count(t => t.Direction == direction) >= count, $"{destination} {direction} #{count}");
}
