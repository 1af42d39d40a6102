using System.Runtime.CompilerServices;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;

namespace Gateway.Admin;

/// <summary>
/// The <see cref="DestinationCounters"/> of every destination, attached to YARP's <see cref="DestinationState"/>,
/// which YARP keeps across a configuration reload that keeps the destination, so the totals do too. While the
/// host runs it samples them once a second for the request rates and latencies.
/// </summary>
public sealed class DestinationTraffic : IHostedService, IDisposable
{
    private static readonly TimeSpan s_samplePeriod = TimeSpan.FromSeconds(1);

    private readonly ConditionalWeakTable<DestinationState, DestinationCounters> _counters = new();
    private readonly IProxyStateLookup _proxyState;
    private readonly TimeProvider _timeProvider;
    private ITimer? _sampler;

    public DestinationTraffic(IProxyStateLookup proxyState, TimeProvider timeProvider)
    {
        _proxyState = proxyState;
        _timeProvider = timeProvider;
    }

    internal TimeProvider TimeProvider => _timeProvider;

    internal DestinationCounters For(DestinationState destination)
        => _counters.GetValue(destination, static _ => new DestinationCounters());

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _sampler ??= _timeProvider.CreateTimer(static state => ((DestinationTraffic)state!).TakeSamples(), this, s_samplePeriod, s_samplePeriod);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    internal void TakeSamples()
    {
        var now = _timeProvider.GetTimestamp();
        foreach (var cluster in _proxyState.GetClusters())
        {
            foreach (var destination in cluster.Destinations.Values)
            {
                For(destination).TakeSample(now);
            }
        }
    }

    public void Dispose() => _sampler?.Dispose();
}
