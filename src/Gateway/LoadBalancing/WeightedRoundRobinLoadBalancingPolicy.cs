using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace Gateway.LoadBalancing;

/// <summary>
/// <c>WeightedRoundRobin</c>: nginx's smooth weighted round-robin. Each pick adds every destination's weight
/// to its running score, takes the highest, and subtracts the total from the winner, so weights 5,1,1
/// give a a b a c a a instead of a burst of five. Weights are the effective ones (slow start); scaling every
/// weight by the same factor leaves the sequence unchanged.
/// </summary>
internal sealed class WeightedRoundRobinLoadBalancingPolicy(IEffectiveWeights? weights = null) : ILoadBalancingPolicy
{
    public const string PolicyName = "WeightedRoundRobin";

    private static readonly Func<IReadOnlyList<DestinationState>, Func<DestinationState, int>, SmoothWeightedSchedule> s_build =
        static (available, weightOf) => new SmoothWeightedSchedule(available, weightOf);

    private readonly AvailableSetCache<SmoothWeightedSchedule> _schedules = new(weights ?? EffectiveWeights.Configured, s_build);

    public string Name => PolicyName;

    public DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> availableDestinations)
    {
        if (availableDestinations.Count == 0)
        {
            return null;
        }

        return _schedules.Get(cluster, availableDestinations).Next();
    }
}

/// <summary>The smooth weighted round-robin state for one set of destinations.</summary>
public sealed class SmoothWeightedSchedule
{
    private readonly DestinationState[] _destinations;
    private readonly int[] _weights;
    private readonly long[] _current;
    private readonly long _total;
    private readonly Lock _lock = new();

    public SmoothWeightedSchedule(IReadOnlyList<DestinationState> destinations, Func<DestinationState, int> weightOf)
    {
        var selected = new List<(DestinationState Destination, int Weight)>(destinations.Count);
        foreach (var destination in destinations)
        {
            var weight = weightOf(destination);
            if (weight > 0)
            {
                selected.Add((destination, weight));
            }
        }

        _destinations = selected.Select(s => s.Destination).ToArray();
        _weights = selected.Select(s => s.Weight).ToArray();
        _current = new long[_destinations.Length];
        _total = _weights.Sum(w => (long)w);
    }

    public DestinationState? Next()
    {
        if (_destinations.Length == 0)
        {
            return null;
        }

        lock (_lock)
        {
            var best = 0;
            for (var i = 0; i < _current.Length; i++)
            {
                _current[i] += _weights[i];
                if (_current[i] > _current[best])
                {
                    best = i;
                }
            }

            _current[best] -= _total;
            return _destinations[best];
        }
    }
}
