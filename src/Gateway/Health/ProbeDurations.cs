using System.Collections.Concurrent;
using System.Diagnostics;

namespace Gateway.Health;

/// <summary>
/// How long each active probe took. YARP hands a policy the probe results only once every probe of the
/// cluster has finished, without timings; the one place it measures each probe is the
/// <c>proxy.destination_health_check</c> activity it wraps around it, so this listens to that activity alone
/// (asking for no other YARP activity, and only for propagation data, so that it records nothing that a
/// tracer would export) and keeps the last duration per destination until the policy takes it.
/// </summary>
public sealed class ProbeDurations : IDisposable
{
    public const string ActivitySourceName = "Yarp.ReverseProxy";
    public const string ProbeActivityName = "proxy.destination_health_check";

    private readonly ConcurrentDictionary<(string Cluster, string Destination), double> _durations = new();
    private readonly ActivityListener _listener;

    public ProbeDurations()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = static source => source.Name == ActivitySourceName,
            Sample = static (ref ActivityCreationOptions<ActivityContext> options)
                => options.Name == ProbeActivityName ? ActivitySamplingResult.PropagationData : ActivitySamplingResult.None,
            ActivityStopped = OnStopped,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Record(string clusterId, string destinationId, double milliseconds)
        => _durations[(clusterId, destinationId)] = milliseconds;

    /// <summary>The duration of the destination's last probe in milliseconds, once; null when none was seen.</summary>
    public double? Take(string clusterId, string destinationId)
        => _durations.TryRemove((clusterId, destinationId), out var milliseconds) ? milliseconds : null;

    public void Dispose() => _listener.Dispose();

    private void OnStopped(Activity activity)
    {
        if (activity.OperationName == ProbeActivityName
            && activity.GetTagItem("proxy.cluster_id") is string clusterId
            && activity.GetTagItem("proxy.destination_id") is string destinationId)
        {
            Record(clusterId, destinationId, activity.Duration.TotalMilliseconds);
        }
    }
}
