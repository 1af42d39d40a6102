using System.Runtime.CompilerServices;
using Yarp.ReverseProxy.Model;

namespace Gateway.LoadBalancing;

/// <summary>
/// Keeps one derived structure per cluster, rebuilt only when YARP hands over a different list of available
/// destinations, a new cluster model, or the effective weights change (a slow-start ramp, a bounded number of
/// times). YARP recomputes that list when health or configuration changes, not per request, so a pick costs
/// three comparisons instead of a rebuild.
/// </summary>
internal sealed class AvailableSetCache<T>(
    IEffectiveWeights weights,
    Func<IReadOnlyList<DestinationState>, Func<DestinationState, int>, T> build)
    where T : class
{
    private readonly ConditionalWeakTable<ClusterState, Holder> _holders = new();

    public T Get(ClusterState cluster, IReadOnlyList<DestinationState> available)
    {
        var holder = _holders.GetOrCreateValue(cluster);
        var entry = holder.Entry;
        var model = cluster.Model;
        var version = weights.GetVersion(cluster);
        if (entry is not null && ReferenceEquals(entry.Source, available) && ReferenceEquals(entry.Model, model) && entry.WeightsVersion == version)
        {
            return entry.Value;
        }

        // One thread builds while concurrent requests for the same cluster wait for its result instead
        // of each building the same structure.
        lock (holder)
        {
            entry = holder.Entry;
            if (entry is null || !ReferenceEquals(entry.Source, available) || !ReferenceEquals(entry.Model, model) || entry.WeightsVersion != version)
            {
                entry = new Entry(available, model, version, Build(cluster, available));
                holder.Entry = entry;
            }

            return entry.Value;
        }
    }

    // Apart from Get, whose every call would otherwise allocate the closure over the cluster.
    private T Build(ClusterState cluster, IReadOnlyList<DestinationState> available)
        => build(available, destination => weights.GetWeight(cluster, destination));

    private sealed class Holder
    {
        public volatile Entry? Entry;
    }

    private sealed record Entry(IReadOnlyList<DestinationState> Source, ClusterModel Model, long WeightsVersion, T Value);
}
