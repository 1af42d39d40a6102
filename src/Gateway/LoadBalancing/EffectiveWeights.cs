using Yarp.ReverseProxy.Model;

namespace Gateway.LoadBalancing;

/// <summary>
/// The weights the weight-aware policies balance by: each destination's configured <c>Weight</c>, reduced
/// while it ramps up after coming back into service (slow start, see Health). Weights are in units of
/// 1/<see cref="EffectiveWeights.Scale"/> of a configured weight so that a ramp can give a weight-1
/// destination a fraction of its share.
/// </summary>
public interface IEffectiveWeights
{
    /// <summary>
    /// Changes whenever an effective weight in the cluster may have changed, and only then, so that a policy
    /// can keep its derived structure until it does. Called on every pick: cheap and allocation-free.
    /// </summary>
    long GetVersion(ClusterState cluster);

    /// <summary>The destination's effective weight, from 0 to its configured weight times <see cref="EffectiveWeights.Scale"/>.</summary>
    int GetWeight(ClusterState cluster, DestinationState destination);
}

public static class EffectiveWeights
{
    /// <summary>The ramp's granularity: a ramping destination's weight grows in steps of 1/Scale of its configured weight.</summary>
    public const int Scale = 20;

    /// <summary>The configured weights, never ramped: what the policies use when slow start is not registered.</summary>
    public static readonly IEffectiveWeights Configured = new ConfiguredWeights();

    private sealed class ConfiguredWeights : IEffectiveWeights
    {
        public long GetVersion(ClusterState cluster) => 0;

        public int GetWeight(ClusterState cluster, DestinationState destination) => DestinationWeight.Of(destination) * Scale;
    }
}
