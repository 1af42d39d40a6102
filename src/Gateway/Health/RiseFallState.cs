namespace Gateway.Health;

/// <summary>What one probe result did to a destination's rise/fall state.</summary>
public enum RiseFallChange
{
    None,
    WentDown,
    CameUp,
}

/// <summary>
/// HAProxy's rise/fall counting for one destination. It starts UP; <c>fall</c> consecutive failed probes
/// take it DOWN and <c>rise</c> consecutive good probes bring it back. A probe that goes the other way
/// restarts the count, so a flapping server never crosses either threshold. Thread-safe.
/// </summary>
public sealed class RiseFallState
{
    private readonly Lock _lock = new();
    private bool _down;
    private int _streak;
    private string? _lastFailure;

    public RiseFallState(bool down = false)
    {
        _down = down;
    }

    public bool IsDown
    {
        get
        {
            lock (_lock)
            {
                return _down;
            }
        }
    }

    /// <summary>The reason of the most recent failed probe, kept across recoveries for the UP log line.</summary>
    public string? LastFailure
    {
        get
        {
            lock (_lock)
            {
                return _lastFailure;
            }
        }
    }

    /// <summary>Counts one probe. <paramref name="streak"/> is the count that crossed the threshold when the state changes.</summary>
    public RiseFallChange Record(bool ok, string? failure, int rise, int fall, out int streak)
    {
        lock (_lock)
        {
            if (!ok)
            {
                _lastFailure = failure;
            }

            // The streak counts probes against the current state: failures while UP, good ones while DOWN.
            if (ok == _down)
            {
                _streak++;
            }
            else
            {
                _streak = 0;
            }

            streak = _streak;
            if (_down && _streak >= rise)
            {
                _down = false;
                _streak = 0;
                return RiseFallChange.CameUp;
            }

            if (!_down && _streak >= fall)
            {
                _down = true;
                _streak = 0;
                return RiseFallChange.WentDown;
            }

            return RiseFallChange.None;
        }
    }

    /// <summary>Forgets a partial count, for example while the destination is in maintenance.</summary>
    public void ResetStreak()
    {
        lock (_lock)
        {
            _streak = 0;
        }
    }
}
