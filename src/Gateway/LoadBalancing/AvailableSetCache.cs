using System.Runtime.CompilerServices;
using Yarp.ReverseProxy.Model;

namespace Gateway.LoadBalancing;

/// <summary>
/// Keeps one derived structure per cluster, rebuilt only when YARP hands over a different list of available
/// destinations or a new cluster model. YARP recomputes that list when health or configuration changes,
/// not per request, so a pick costs two reference comparisons instead of a rebuild.
/// </summary>
internal sealed class AvailableSetCache<T>(Func<IReadOnlyList<DestinationState>, T> build)
    where T : class
{
    private readonly ConditionalWeakTable<ClusterState, Holder> _holders = new();

    public T Get(ClusterState cluster, IReadOnlyList<DestinationState> available)
    {
        var holder = _holders.GetOrCreateValue(cluster);
        var entry = holder.Entry;
        var model = cluster.Model;
        if (entry is not null && ReferenceEquals(entry.Source, available) && ReferenceEquals(entry.Model, model))
        {
            return entry.Value;
        }

        // One thread builds while concurrent requests for the same cluster wait for its result instead
        // of each building the same structure.
        lock (holder)
        {
            entry = holder.Entry;
            if (entry is null || !ReferenceEquals(entry.Source, available) || !ReferenceEquals(entry.Model, model))
            {
                entry = new Entry(available, model, build(available));
                holder.Entry = entry;
            }

            return entry.Value;
        }
    }

    private sealed class Holder
    {
        public volatile Entry? Entry;
    }

    private sealed record Entry(IReadOnlyList<DestinationState> Source, ClusterModel Model, T Value);
}
