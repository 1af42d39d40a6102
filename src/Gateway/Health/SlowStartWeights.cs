using System.Runtime.CompilerServices;
using Gateway.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace Gateway.Health;

/// <summary>
/// HAProxy's <c>slowstart</c>: a destination that comes back into service takes its configured weight
/// gradually, linearly over the cluster's <c>RiseFall.SlowStart</c>, in <see cref="EffectiveWeights.Scale"/>
/// steps from 1/Scale of its weight. The weight-aware policies rebuild their structures when the version
/// changes, which happens once per step while a ramp runs and never otherwise.
/// </summary>
public sealed class SlowStartWeights(TimeProvider timeProvider) : IEffectiveWeights
{
    private readonly ConditionalWeakTable<ClusterState, ClusterRamps> _clusters = new();

    /// <summary>Starts (or restarts) the destination's ramp, now.</summary>
    public void Begin(ClusterState cluster, DestinationState destination, TimeSpan duration)
    {
        if (duration <= TimeSpan.Zero)
        {
            return;
        }

        var now = timeProvider.GetTimestamp();
        var ticks = Math.Max(1, (long)(duration.TotalSeconds * timeProvider.TimestampFrequency));
        _clusters.GetOrCreateValue(cluster).Begin(new Ramp(destination, now, ticks), now);
    }

    public long GetVersion(ClusterState cluster)
    {
        if (!_clusters.TryGetValue(cluster, out var ramps))
        {
            return 0;
        }

        var set = ramps.Current;
        if (set.Ramps.Length == 0)
        {
            return set.Generation << 32;
        }

        var now = timeProvider.GetTimestamp();
        if (now >= set.NextEnd)
        {
            set = ramps.EndFinished(set, now);
            if (set.Ramps.Length == 0)
            {
                return set.Generation << 32;
            }
        }

        return (set.Generation << 32) | (uint)((now - set.Origin) / set.StepTicks);
    }

    public int GetWeight(ClusterState cluster, DestinationState destination)
    {
        var full = DestinationWeight.Of(destination) * EffectiveWeights.Scale;
        if (full == 0 || !_clusters.TryGetValue(cluster, out var ramps))
        {
            return full;
        }

        foreach (var ramp in ramps.Current.Ramps)
        {
            if (ReferenceEquals(ramp.Destination, destination))
            {
                return DestinationWeight.Of(destination) * ramp.Step(timeProvider.GetTimestamp());
            }
        }

        return full;
    }

    private sealed record Ramp(DestinationState Destination, long Start, long Ticks)
    {
        public long End => Start + Ticks;

        /// <summary>From 1 just after the start to Scale at the end: the weight never drops to nothing.</summary>
        public int Step(long now)
        {
            var elapsed = now - Start;
            if (elapsed >= Ticks)
            {
                return EffectiveWeights.Scale;
            }

            var step = (int)(((elapsed * EffectiveWeights.Scale) + Ticks - 1) / Ticks);
            return Math.Clamp(step, 1, EffectiveWeights.Scale);
        }
    }

    /// <summary>An immutable view of the ramps running in a cluster, swapped whole so a reader never sees half a change.</summary>
    private sealed record RampSet(long Generation, Ramp[] Ramps, long Origin, long StepTicks, long NextEnd)
    {
        public static RampSet Create(long generation, Ramp[] ramps, long now)
        {
            if (ramps.Length == 0)
            {
                return new RampSet(generation, ramps, now, 1, long.MaxValue);
            }

            var shortest = ramps.Min(r => r.Ticks);
            return new RampSet(generation, ramps, now, Math.Max(1, shortest / EffectiveWeights.Scale), ramps.Min(r => r.End));
        }
    }

    private sealed class ClusterRamps
    {
        private readonly Lock _lock = new();
        private volatile RampSet _current = RampSet.Create(0, [], 0);

        public RampSet Current => _current;

        public void Begin(Ramp ramp, long now)
        {
            lock (_lock)
            {
                var others = _current.Ramps.Where(r => !ReferenceEquals(r.Destination, ramp.Destination) && r.End > now);
                _current = RampSet.Create(_current.Generation + 1, [.. others, ramp], now);
            }
        }

        public RampSet EndFinished(RampSet seen, long now)
        {
            lock (_lock)
            {
                if (ReferenceEquals(_current, seen))
                {
                    _current = RampSet.Create(seen.Generation + 1, seen.Ramps.Where(r => r.End > now).ToArray(), now);
                }

                return _current;
            }
        }
    }
}
