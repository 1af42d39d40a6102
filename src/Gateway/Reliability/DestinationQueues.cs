using System.Runtime.CompilerServices;
using System.Threading.RateLimiting;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;

namespace Gateway.Reliability;

/// <summary>
/// The per-destination connection limits and their first-in-first-out queues, for the proxy step that
/// enforces them and for whoever reports them (the admin API's <c>queued</c> field, the metrics).
/// A destination without <c>MaxConnections</c> has no queue and reports 0.
/// </summary>
public sealed class DestinationQueues(IProxyStateLookup proxyState)
{
    private readonly ConditionalWeakTable<DestinationState, DestinationQueue> _queues = new();

    /// <summary>Requests waiting for a connection slot to this destination right now.</summary>
    public int GetQueued(DestinationState destination)
        => _queues.TryGetValue(destination, out var queue) ? queue.Queued : 0;

    /// <summary>Requests waiting for a connection slot to this destination right now; 0 when either id is unknown.</summary>
    public int GetQueued(string clusterId, string destinationId)
        => proxyState.TryGetCluster(clusterId, out var cluster) && cluster.Destinations.TryGetValue(destinationId, out var destination)
            ? GetQueued(destination)
            : 0;

    /// <summary>Every destination that has a limit and has served at least one request since its limit was configured.</summary>
    public IReadOnlyList<DestinationQueueStats> Snapshot()
    {
        var stats = new List<DestinationQueueStats>();
        foreach (var (_, queue) in _queues)
        {
            stats.Add(queue.Stats());
        }

        return stats;
    }

    internal DestinationQueue GetOrCreate(string clusterId, DestinationState destination)
        => _queues.GetValue(destination, d => new DestinationQueue(clusterId, d.DestinationId));
}

/// <summary>
/// One destination's queue: how many requests are in flight and waiting, and how many were turned away
/// since the gateway started (queue full, or waited longer than <c>QueueTimeout</c>).
/// </summary>
public sealed record DestinationQueueStats(
    string ClusterId,
    string DestinationId,
    int MaxConnections,
    int? MaxQueue,
    int InFlight,
    int Queued,
    long QueueFullRejections,
    long QueueTimeouts);

/// <summary>
/// A <see cref="ConcurrencyLimiter"/> with <see cref="QueueProcessingOrder.OldestFirst"/>: at most
/// <c>MaxConnections</c> leases, then a FIFO queue of at most <c>MaxQueue</c> waiters. When a reload
/// changes the limits a new limiter takes over for new requests, and the old one lets the requests it
/// holds finish.
/// </summary>
internal sealed class DestinationQueue(string clusterId, string destinationId)
{
    private readonly Lock _lock = new();
    private volatile Slot? _current;
    private long _queueFull;
    private long _timeouts;

    public int Queued => _current is { } current ? (int)current.Limiter.GetStatistics()!.CurrentQueuedCount : 0;

    public ConcurrencyLimiter LimiterFor(DestinationLimits limits)
    {
        var current = _current;
        if (current is not null && ReferenceEquals(current.Limits, limits))
        {
            return current.Limiter;
        }

        lock (_lock)
        {
            current = _current;
            if (current is not null && current.Limits == limits)
            {
                _current = new Slot(limits, current.Limiter);
                return current.Limiter;
            }

            var limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
            {
                PermitLimit = limits.MaxConnections!.Value,
                QueueLimit = limits.MaxQueue ?? int.MaxValue,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            });
            _current = new Slot(limits, limiter);
            return limiter;
        }
    }

    public void CountQueueFull() => Interlocked.Increment(ref _queueFull);

    public void CountTimeout() => Interlocked.Increment(ref _timeouts);

    public DestinationQueueStats Stats()
    {
        var current = _current;
        var statistics = current?.Limiter.GetStatistics();
        var maxConnections = current?.Limits.MaxConnections ?? 0;
        return new DestinationQueueStats(
            clusterId,
            destinationId,
            maxConnections,
            current?.Limits.MaxQueue,
            statistics is null ? 0 : maxConnections - (int)statistics.CurrentAvailablePermits,
            statistics is null ? 0 : (int)statistics.CurrentQueuedCount,
            Interlocked.Read(ref _queueFull),
            Interlocked.Read(ref _timeouts));
    }

    private sealed record Slot(DestinationLimits Limits, ConcurrencyLimiter Limiter);
}
