namespace Gateway.Admin;

/// <summary>
/// Requests proxied to one destination: running totals updated with a few interlocked operations per
/// request, and a ring of once-a-second samples from which the dashboard's request rate and mean latency
/// over the last <see cref="WindowSeconds"/> seconds are derived when someone asks, not per request.
/// </summary>
internal sealed class DestinationCounters
{
    public const int WindowSeconds = 10;

    private readonly Sample[] _samples = new Sample[WindowSeconds];
    private int _sampleCount;
    private int _nextSample;

    private long _total;
    private long _failed;
    private long _latencyTicks;

    public long Total => Interlocked.Read(ref _total);

    public long Failed => Interlocked.Read(ref _failed);

    /// <param name="elapsedTicks">Time the request took, in <see cref="TimeProvider.TimestampFrequency"/> ticks.</param>
    public void Record(long elapsedTicks, bool failed)
    {
        Interlocked.Add(ref _latencyTicks, elapsedTicks);
        if (failed)
        {
            Interlocked.Increment(ref _failed);
        }

        Interlocked.Increment(ref _total);
    }

    /// <summary>Remembers the totals at <paramref name="timestamp"/>; called once a second.</summary>
    public void TakeSample(long timestamp)
    {
        var sample = new Sample(timestamp, Total, Interlocked.Read(ref _latencyTicks));
        lock (_samples)
        {
            _samples[_nextSample] = sample;
            _nextSample = (_nextSample + 1) % _samples.Length;
            _sampleCount = Math.Min(_sampleCount + 1, _samples.Length);
        }
    }

    /// <summary>
    /// Requests per second and mean latency in milliseconds between the oldest kept sample and
    /// <paramref name="now"/>: null before the first sample, and the latency is null when no request
    /// completed in that window.
    /// </summary>
    public (double? RequestRate, double? LatencyMs) Window(long now, long timestampFrequency)
    {
        Sample oldest;
        lock (_samples)
        {
            if (_sampleCount == 0)
            {
                return (null, null);
            }

            oldest = _samples[_sampleCount < _samples.Length ? 0 : _nextSample];
        }

        var seconds = (double)(now - oldest.Timestamp) / timestampFrequency;
        if (seconds <= 0)
        {
            return (null, null);
        }

        var requests = Total - oldest.Total;
        var latencyTicks = Interlocked.Read(ref _latencyTicks) - oldest.LatencyTicks;
        double? latency = requests > 0 ? latencyTicks * 1000.0 / timestampFrequency / requests : null;
        return (requests / seconds, latency);
    }

    private readonly record struct Sample(long Timestamp, long Total, long LatencyTicks);
}
