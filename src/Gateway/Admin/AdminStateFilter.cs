using System.Runtime.CompilerServices;
using Yarp.ReverseProxy.Model;

namespace Gateway.Admin;

/// <summary>
/// Takes destinations in <c>drain</c> and <c>maint</c> out of the candidates load balancing chooses from.
/// The narrowed list is cached per cluster against the list YARP handed over and
/// <see cref="DestinationAdminStates.Version"/>, so a request costs two comparisons, and the load-balancing
/// policies, whose own caches are keyed on the list's identity, see the same list until something changes.
/// </summary>
public sealed class AdminStateFilter(DestinationAdminStates states)
{
    private readonly ConditionalWeakTable<ClusterState, Holder> _views = new();

    /// <summary>
    /// The destinations a request may go to. <paramref name="available"/> is what the earlier steps left:
    /// the cluster's available destinations, or the single destination session affinity pinned the request
    /// to (YARP's affinity policies hand that over as the <see cref="DestinationState"/> itself). A pinned
    /// request keeps a draining destination, like HAProxy's persistent connections; one pinned to a
    /// destination in maintenance is sent elsewhere.
    /// </summary>
    public IReadOnlyList<DestinationState> Filter(ClusterState cluster, IReadOnlyList<DestinationState> available)
    {
        if (available is DestinationState pinned)
        {
            var clusterView = GetView(cluster, cluster.DestinationsState.AvailableDestinations);
            return clusterView.AnyMaint && states.Get(cluster.ClusterId, pinned.DestinationId) == AdminState.Maint
                ? clusterView.Selectable
                : available;
        }

        return GetView(cluster, available).Selectable;
    }

    private View GetView(ClusterState cluster, IReadOnlyList<DestinationState> source)
    {
        var holder = _views.GetOrCreateValue(cluster);
        var view = holder.View;
        var version = states.Version;
        if (view is not null && view.Version == version && ReferenceEquals(view.Source, source))
        {
            return view;
        }

        view = Build(cluster, source, version);
        holder.View = view;
        return view;
    }

    private View Build(ClusterState cluster, IReadOnlyList<DestinationState> source, int version)
    {
        var anyMaint = false;
        List<DestinationState>? selectable = null;
        for (var i = 0; i < source.Count; i++)
        {
            var state = states.Get(cluster.ClusterId, source[i].DestinationId);
            anyMaint |= state == AdminState.Maint;
            if (state == AdminState.Ready)
            {
                selectable?.Add(source[i]);
            }
            else if (selectable is null)
            {
                selectable = new List<DestinationState>(source.Count);
                for (var j = 0; j < i; j++)
                {
                    selectable.Add(source[j]);
                }
            }
        }

        if (!anyMaint)
        {
            foreach (var destination in cluster.Destinations.Values)
            {
                anyMaint |= states.Get(cluster.ClusterId, destination.DestinationId) == AdminState.Maint;
            }
        }

        return new View(source, version, selectable is null ? source : selectable.ToArray(), anyMaint);
    }

    private sealed class Holder
    {
        public volatile View? View;
    }

    /// <param name="AnyMaint">Whether any destination of the cluster, available or not, is in maintenance.</param>
    private sealed record View(IReadOnlyList<DestinationState> Source, int Version, IReadOnlyList<DestinationState> Selectable, bool AnyMaint);
}

/// <summary>The proxy pipeline step that applies <see cref="AdminStateFilter"/>.</summary>
internal sealed class AdminStateMiddleware(RequestDelegate next, AdminStateFilter filter)
{
    public Task Invoke(HttpContext context)
    {
        var feature = context.GetReverseProxyFeature();
        if (feature.Route.Cluster is { } cluster)
        {
            feature.AvailableDestinations = filter.Filter(cluster, feature.AvailableDestinations);
        }

        return next(context);
    }
}
