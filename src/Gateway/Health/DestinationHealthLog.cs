using System.Collections.Concurrent;

namespace Gateway.Health;

/// <summary>
/// What the gateway knows about each destination's health beyond YARP's up/down flags: the last probe and
/// the recent transitions, for the admin API and dashboard. Keyed by cluster and destination id, so the
/// history survives a configuration reload that keeps the destination.
/// </summary>
public sealed class DestinationHealthLog
{
    public const int TransitionsKept = 10;

    private readonly ConcurrentDictionary<(string Cluster, string Destination), Entry> _entries = new();

    /// <summary>Raised after a transition is recorded: cluster id, destination id, transition.</summary>
    public event Action<string, string, HealthTransition>? TransitionRecorded;

    public void RecordCheck(string clusterId, string destinationId, HealthCheckResult result)
        => GetEntry(clusterId, destinationId).LastCheck = result;

    public void RecordTransition(string clusterId, string destinationId, HealthTransition transition)
    {
        var entry = GetEntry(clusterId, destinationId);
        lock (entry)
        {
            entry.Transitions.Enqueue(transition);
            while (entry.Transitions.Count > TransitionsKept)
            {
                entry.Transitions.Dequeue();
            }
        }

        TransitionRecorded?.Invoke(clusterId, destinationId, transition);
    }

    public HealthCheckResult? GetLastCheck(string clusterId, string destinationId)
        => _entries.TryGetValue((clusterId, destinationId), out var entry) ? entry.LastCheck : null;

    /// <summary>The most recent transitions, oldest first.</summary>
    public IReadOnlyList<HealthTransition> GetTransitions(string clusterId, string destinationId)
    {
        if (!_entries.TryGetValue((clusterId, destinationId), out var entry))
        {
            return [];
        }

        lock (entry)
        {
            return entry.Transitions.ToArray();
        }
    }

    private Entry GetEntry(string clusterId, string destinationId)
        => _entries.GetOrAdd((clusterId, destinationId), static _ => new Entry());

    private sealed class Entry
    {
        public volatile HealthCheckResult? LastCheck;

        public Queue<HealthTransition> Transitions { get; } = new();
    }
}

/// <summary>One active probe: when, whether it passed, the HTTP status if any, how long it took, and why it failed.</summary>
public sealed record HealthCheckResult(DateTimeOffset At, bool Ok, int? Status, double DurationMs, string? Error);

/// <summary>A destination going <c>UP</c> or <c>DOWN</c>, with the reason (for example <c>status 503</c>).</summary>
public sealed record HealthTransition(DateTimeOffset At, string Direction, string Reason);
