using Gateway.Admin;

namespace Gateway.Tests.Admin;

public sealed class DestinationCountersTests
{
    private const long Frequency = 1000;

    [Fact]
    public void Record_FailedAndOk_CountsTotalsAndFailures()
    {
        var counters = new DestinationCounters();

        counters.Record(5, failed: false);
        counters.Record(5, failed: true);
        counters.Record(5, failed: false);

        Assert.Equal(3, counters.Total);
        Assert.Equal(1, counters.Failed);
    }

    [Fact]
    public void Window_NoSample_IsUnknown()
    {
        var counters = new DestinationCounters();
        counters.Record(5, failed: false);

        Assert.Equal((null, null), counters.Window(now: 1000, Frequency));
    }

    [Fact]
    public void Window_TrafficSinceSample_RateAndMeanLatency()
    {
        var counters = new DestinationCounters();
        counters.TakeSample(timestamp: 0);

        for (var i = 0; i < 20; i++)
        {
            counters.Record(elapsedTicks: i % 2 == 0 ? 10 : 30, failed: false);
        }

        var (rate, latency) = counters.Window(now: 2 * Frequency, Frequency);
        Assert.Equal(10.0, rate);
        Assert.Equal(20.0, latency);
    }

    [Fact]
    public void Window_NoTrafficInWindow_ZeroRateUnknownLatency()
    {
        var counters = new DestinationCounters();
        counters.Record(50, failed: false);
        counters.TakeSample(timestamp: 0);

        Assert.Equal((0.0, null), counters.Window(now: Frequency, Frequency));
    }

    [Fact]
    public void Window_MoreSamplesThanWindow_ForgetsOldTraffic()
    {
        var counters = new DestinationCounters();
        counters.TakeSample(timestamp: 0);
        for (var i = 0; i < 100; i++)
        {
            counters.Record(1, failed: false);
        }

        for (var second = 1; second <= DestinationCounters.WindowSeconds; second++)
        {
            counters.TakeSample(second * Frequency);
        }

        counters.Record(1, failed: false);
        var (rate, _) = counters.Window(now: (DestinationCounters.WindowSeconds + 1) * Frequency, Frequency);

        Assert.Equal(1.0 / DestinationCounters.WindowSeconds, rate);
    }
}
