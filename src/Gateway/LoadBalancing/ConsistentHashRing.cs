using System.IO.Hashing;
using System.Text;
using Yarp.ReverseProxy.Model;

namespace Gateway.LoadBalancing;

/// <summary>
/// A Ketama-style ring: each destination owns <see cref="PointsPerWeight"/> points per unit of weight,
/// placed by hashing its id, so a destination's points never depend on the others. Removing one moves
/// only the keys it owned; adding it back restores the original mapping. Immutable once built.
/// </summary>
public sealed class ConsistentHashRing
{
    public const int PointsPerWeight = 160;

    private readonly ulong[] _points;
    private readonly DestinationState[] _owners;

    private ConsistentHashRing(ulong[] points, DestinationState[] owners)
    {
        _points = points;
        _owners = owners;
    }

    public bool IsEmpty => _points.Length == 0;

    public int PointCount => _points.Length;

    public static ConsistentHashRing Build(IReadOnlyList<DestinationState> destinations, Func<DestinationState, int> weightOf)
        => Build(destinations, weightOf, weightScale: 1);

    /// <summary>
    /// Weights in units of 1/<paramref name="weightScale"/> (a divisor of <see cref="PointsPerWeight"/>). A
    /// destination with a fraction of its weight owns the first replicas of its full set, so as its weight
    /// grows it only gains clients and never swaps them with another destination.
    /// </summary>
    public static ConsistentHashRing Build(IReadOnlyList<DestinationState> destinations, Func<DestinationState, int> weightOf, int weightScale)
    {
        var total = 0;
        var weights = new int[destinations.Count];
        for (var i = 0; i < destinations.Count; i++)
        {
            weights[i] = weightOf(destinations[i]) * PointsPerWeight / weightScale;
            total += weights[i];
        }

        var points = new ulong[total];
        var owners = new DestinationState[total];
        var next = 0;
        for (var i = 0; i < destinations.Count; i++)
        {
            var seed = XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(destinations[i].DestinationId));
            for (var replica = 0; replica < weights[i]; replica++)
            {
                points[next] = Mix(seed + (ulong)replica * 0x9E3779B97F4A7C15UL);
                owners[next] = destinations[i];
                next++;
            }
        }

        Array.Sort(points, owners);
        return new ConsistentHashRing(points, owners);
    }

    /// <summary>The owner of the first point at or after <paramref name="hash"/>, wrapping around.</summary>
    public DestinationState? Lookup(ulong hash)
    {
        var points = _points;
        if (points.Length == 0)
        {
            return null;
        }

        int lo = 0, hi = points.Length;
        while (lo < hi)
        {
            var mid = (int)((uint)(lo + hi) >> 1);
            if (points[mid] < hash)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return _owners[lo == points.Length ? 0 : lo];
    }

    // SplitMix64's finaliser: spreads consecutive replica numbers across the whole ring.
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
