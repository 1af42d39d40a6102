using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace Gateway.LoadBalancing;

/// <summary>
/// <c>IpHash</c>: HAProxy's <c>balance source</c> with <c>hash-type consistent</c>. The client IP (after
/// PROXY protocol and trusted <c>X-Forwarded-For</c>, see ClientIp) picks a point on a consistent-hash
/// ring of the available destinations, weighted. Unavailable and weight-0 destinations have no points,
/// so only their own clients move elsewhere.
/// </summary>
internal sealed class IpHashLoadBalancingPolicy : ILoadBalancingPolicy
{
    public const string PolicyName = "IpHash";

    private static readonly Func<IReadOnlyList<DestinationState>, ConsistentHashRing> s_build =
        available => ConsistentHashRing.Build(available, DestinationWeight.Of);

    private readonly AvailableSetCache<ConsistentHashRing> _rings = new(s_build);

    public string Name => PolicyName;

    public DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> availableDestinations)
    {
        if (availableDestinations.Count == 0)
        {
            return null;
        }

        var ring = _rings.Get(cluster, availableDestinations);
        var client = context.Connection.RemoteIpAddress;
        return ring.Lookup(client is null ? 0UL : ClientAddressHash.Compute(client));
    }
}
