using System.IO.Hashing;
using System.Text;
using Yarp.ReverseProxy.Model;

namespace Gateway.LoadBalancing;

/// <summary>
/// Weighted rendezvous (highest-random-weight) hashing, precomputed into a fixed table of slots. Each slot
/// belongs to the destination with the highest score <c>weight / -ln(u)</c>, where <c>u</c> is a hash of the
/// destination id and the slot. A destination's scores never depend on the others, so removing one moves
/// only the slots it owned (each to its runner-up), adding it back restores the original owners exactly,
/// and the expected share of each destination is exactly proportional to its weight. A lookup is one
/// array read; the table is rebuilt only when the set of destinations changes.
/// </summary>
public sealed class ConsistentHashTable
{
    /// <summary>Fixed, so that a client's slot never depends on how many destinations there are.</summary>
    public const int Slots = 1 << 14;

    private readonly DestinationState[]? _owners;

    private ConsistentHashTable(DestinationState[]? owners)
    {
        _owners = owners;
    }

    public bool IsEmpty => _owners is null;

    public static ConsistentHashTable Build(IReadOnlyList<DestinationState> destinations, Func<DestinationState, int> weightOf)
    {
        var candidates = new List<(DestinationState Destination, ulong Seed, double Weight)>(destinations.Count);
        foreach (var destination in destinations)
        {
            var weight = weightOf(destination);
            if (weight > 0)
            {
                candidates.Add((destination, XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(destination.DestinationId)), weight));
            }
        }

        if (candidates.Count == 0)
        {
            return new ConsistentHashTable(null);
        }

        var owners = new DestinationState[Slots];
        for (var slot = 0; slot < Slots; slot++)
        {
            var slotHash = Mix((ulong)slot * 0x9E3779B97F4A7C15UL);
            var best = -1;
            var bestScore = double.NegativeInfinity;
            for (var i = 0; i < candidates.Count; i++)
            {
                var score = candidates[i].Weight / -Math.Log(UnitInterval(Mix(candidates[i].Seed ^ slotHash)));
                // Ties (vanishingly rare) go to the larger seed, so the result never depends on list order.
                if (score > bestScore || (score == bestScore && candidates[i].Seed > candidates[best].Seed))
                {
                    best = i;
                    bestScore = score;
                }
            }

            owners[slot] = candidates[best].Destination;
        }

        return new ConsistentHashTable(owners);
    }

    public DestinationState? Lookup(ulong hash) => _owners?[(int)(hash & (Slots - 1))];

    // Strictly inside (0, 1): 53 random bits, offset by half a step, so the logarithm is finite and negative.
    private static double UnitInterval(ulong bits) => ((bits >> 11) + 0.5) * (1.0 / (1UL << 53));

    // SplitMix64's finaliser: decorrelates the slot number and destination seed.
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
