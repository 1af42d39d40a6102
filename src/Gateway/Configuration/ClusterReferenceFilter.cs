using Yarp.ReverseProxy.Configuration;

namespace Gateway.Configuration;

/// <summary>
/// Refuses a route whose cluster does not exist. YARP accepts such a route and answers 503 at request
/// time; like <c>haproxy -c</c> with an unknown backend, the gateway refuses the configuration instead.
/// Implemented as a config filter because filters are the only extension point that sees a route with
/// its cluster.
/// </summary>
internal sealed class ClusterReferenceFilter : IProxyConfigFilter
{
    public ValueTask<ClusterConfig> ConfigureClusterAsync(ClusterConfig cluster, CancellationToken cancel) => new(cluster);

    public ValueTask<RouteConfig> ConfigureRouteAsync(RouteConfig route, ClusterConfig? cluster, CancellationToken cancel)
    {
        if (route.ClusterId is { Length: > 0 } clusterId && cluster is null)
        {
            throw new ArgumentException($"Route '{route.RouteId}' refers to cluster '{clusterId}', which is not defined.");
        }

        return new(route);
    }
}
