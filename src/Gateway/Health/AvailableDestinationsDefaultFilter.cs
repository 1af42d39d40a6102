using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;

namespace Gateway.Health;

/// <summary>
/// Makes <c>HealthyAndUnknown</c> the default available-destinations policy instead of YARP's
/// <c>HealthyOrPanic</c>, which sends traffic to every destination, dead ones included, once all are down.
/// With nothing available the gateway answers 503 at once (see <see cref="NoAvailableDestinationMiddleware"/>);
/// a cluster that prefers the panic mode names <c>HealthyOrPanic</c> in its <c>HealthCheck</c>.
/// </summary>
internal sealed class AvailableDestinationsDefaultFilter : IProxyConfigFilter
{
    public ValueTask<ClusterConfig> ConfigureClusterAsync(ClusterConfig cluster, CancellationToken cancel)
    {
        if (!string.IsNullOrEmpty(cluster.HealthCheck?.AvailableDestinationsPolicy))
        {
            return new(cluster);
        }

        return new(cluster with
        {
            HealthCheck = (cluster.HealthCheck ?? new HealthCheckConfig()) with
            {
                AvailableDestinationsPolicy = HealthCheckConstants.AvailableDestinations.HealthyAndUnknown,
            },
        });
    }

    public ValueTask<RouteConfig> ConfigureRouteAsync(RouteConfig route, ClusterConfig? cluster, CancellationToken cancel) => new(route);
}
