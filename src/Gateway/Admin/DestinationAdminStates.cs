using System.Collections.Concurrent;

namespace Gateway.Admin;

/// <summary>HAProxy's <c>set server ... state</c>: ready (in rotation), drain (no new requests except
/// affinity-pinned ones) and maint (no requests, health checks paused).</summary>
public enum AdminState
{
    Ready,
    Drain,
    Maint,
}

/// <summary>
/// The runtime admin state of every destination, keyed by cluster and destination id so it survives a
/// configuration reload. Destinations never set are <see cref="AdminState.Ready"/>.
/// </summary>
public sealed class DestinationAdminStates
{
    private readonly ConcurrentDictionary<(string Cluster, string Destination), AdminState> _states = new();
    private int _version;

    /// <summary>Changes whenever any state changes, so derived structures can be cached against it.</summary>
    public int Version => Volatile.Read(ref _version);

    public event Action<string, string, AdminState>? Changed;

    public AdminState Get(string clusterId, string destinationId)
        => _states.TryGetValue((clusterId, destinationId), out var state) ? state : AdminState.Ready;

    public void Set(string clusterId, string destinationId, AdminState state)
    {
        if (state == AdminState.Ready)
        {
            _states.TryRemove((clusterId, destinationId), out _);
        }
        else
        {
            _states[(clusterId, destinationId)] = state;
        }

        Interlocked.Increment(ref _version);
        Changed?.Invoke(clusterId, destinationId, state);
    }

    public IReadOnlyDictionary<(string Cluster, string Destination), AdminState> Snapshot() => _states.ToDictionary();
}
