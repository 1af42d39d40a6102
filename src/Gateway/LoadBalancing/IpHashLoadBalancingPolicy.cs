using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace Gateway.LoadBalancing;

/// <summary>
/// <c>IpHash</c>: HAProxy's <c>balance source</c> with <c>hash-type consistent</c>. The client IP (after
/// PROXY protocol and trusted <c>X-Forwarded-For</c>, see ClientIp) picks a slot of a weighted consistent-hash
/// table of the available destinations. Unavailable and weight-0 destinations own no slots, so only their
/// own clients move elsewhere. Weights are the effective ones: a destination in slow start
/// gains its clients gradually, and only ever takes them from others, never swaps them.
/// </summary>
internal sealed class IpHashLoadBalancingPolicy(IEffectiveWeights? weights = null) : ILoadBalancingPolicy
{
    public const string PolicyName = "IpHash";

    private static readonly Func<IReadOnlyList<DestinationState>, Func<DestinationState, int>, ConsistentHashTable> s_build =
        static (available, weightOf) => ConsistentHashTable.Build(available, weightOf);

    private readonly AvailableSetCache<ConsistentHashTable> _tables = new(weights ?? EffectiveWeights.Configured, s_build);

    public string Name => PolicyName;

    public DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> availableDestinations)
    {
        if (availableDestinations.Count == 0)
        {
            return null;
        }

        var table = _tables.Get(cluster, availableDestinations);
        var client = context.Connection.RemoteIpAddress;
        return table.Lookup(client is null ? 0UL : ClientAddressHash.Compute(client));
    }
}
