using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace Gateway.LoadBalancing;

/// <summary>
/// <c>IpHash</c>: HAProxy's <c>balance source</c> with <c>hash-type consistent</c>. The client IP (after
/// PROXY protocol and trusted <c>X-Forwarded-For</c>, see ClientIp) picks a point on a consistent-hash
/// ring of the available destinations, weighted. Unavailable and weight-0 destinations have no points,
/// so only their own clients move elsewhere. Weights are the effective ones: a destination in slow start
/// gains its clients gradually.
/// </summary>
internal sealed class IpHashLoadBalancingPolicy(IEffectiveWeights? weights = null) : ILoadBalancingPolicy
{
    public const string PolicyName = "IpHash";

    private static readonly Func<IReadOnlyList<DestinationState>, Func<DestinationState, int>, ConsistentHashRing> s_build =
        static (available, weightOf) => ConsistentHashRing.Build(available, weightOf, EffectiveWeights.Scale);

    private readonly AvailableSetCache<ConsistentHashRing> _rings = new(weights ?? EffectiveWeights.Configured, s_build);

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
