using System.Globalization;
using System.Runtime.CompilerServices;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Gateway.Health;

/// <summary>
/// <c>OutlierDetection</c>: Envoy's consecutive-5xx outlier ejection (HAProxy's <c>observe layer7</c> with
/// <c>error-limit</c>). <c>OutlierDetection.ConsecutiveFailures</c> 5xx responses or transport failures in a
/// row eject a destination for the cluster's <c>ReactivationPeriod</c>, growing with repeated ejections (see
/// <see cref="EjectionBackoff"/>). An ejection that would take more than <c>OutlierDetection.MaxEjectionPercent</c>
/// of the cluster out does not happen. Client aborts and requests that never reached the destination do
/// not count. Called for every proxied request: a success costs one read, nothing is allocated until a failure.
/// </summary>
internal sealed partial class OutlierDetectionHealthPolicy(
    HealthTransitions transitions,
    TimeProvider timeProvider,
    ILogger<OutlierDetectionHealthPolicy> logger) : IPassiveHealthCheckPolicy, IDisposable
{
    public const string PolicyName = "OutlierDetection";

    private static readonly ConditionalWeakTable<DestinationState, Outlier>.CreateValueCallback s_createOutlier = static _ => new Outlier();
    private static readonly ConditionalWeakTable<ClusterState, Lock>.CreateValueCallback s_createLock = static _ => new Lock();

    private readonly ConditionalWeakTable<DestinationState, Outlier> _outliers = new();
    private readonly ConditionalWeakTable<ClusterState, Lock> _clusterLocks = new();

    public string Name => PolicyName;

    public void RequestProxied(HttpContext context, ClusterState cluster, DestinationState destination)
    {
        var errorFeature = context.Features.Get<IForwarderErrorFeature>();
        var verdict = Judge(context, errorFeature);
        if (verdict == Verdict.NotCounted)
        {
            return;
        }

        var outlier = _outliers.GetValue(destination, s_createOutlier);
        if (verdict == Verdict.Success)
        {
            if (Volatile.Read(ref outlier.ConsecutiveFailures) != 0)
            {
                Interlocked.Exchange(ref outlier.ConsecutiveFailures, 0);
            }

            return;
        }

        outlier.LastFailure = new Failure(context.Response.StatusCode, errorFeature?.Error ?? ForwarderError.None, errorFeature?.Exception);
        var count = Interlocked.Increment(ref outlier.ConsecutiveFailures);
        var settings = HealthSettings.Of(cluster.Model);
        if (count >= settings.ConsecutiveFailures && !outlier.Ejected)
        {
            TryEject(cluster, destination, outlier, settings, count);
        }
    }

    /// <summary>Whether the destination is ejected now, for tests and diagnostics.</summary>
    public bool IsEjected(DestinationState destination) => _outliers.TryGetValue(destination, out var outlier) && outlier.Ejected;

    public void Dispose()
    {
        foreach (var (_, outlier) in _outliers)
        {
            outlier.Timer?.Dispose();
        }
    }

    internal static Verdict Judge(HttpContext context, IForwarderErrorFeature? errorFeature)
    {
        if (context.RequestAborted.IsCancellationRequested)
        {
            return Verdict.NotCounted;
        }

        return (errorFeature?.Error ?? ForwarderError.None) switch
        {
            ForwarderError.None => context.Response.StatusCode >= StatusCodes.Status500InternalServerError ? Verdict.Failure : Verdict.Success,
            ForwarderError.Request
                or ForwarderError.RequestTimedOut
                or ForwarderError.RequestBodyDestination
                or ForwarderError.ResponseBodyDestination
                or ForwarderError.UpgradeRequestDestination
                or ForwarderError.UpgradeResponseDestination => Verdict.Failure,
            // The client's side, the gateway's own refusals and cancellations say nothing about the destination.
            _ => Verdict.NotCounted,
        };
    }

    private void TryEject(ClusterState cluster, DestinationState destination, Outlier outlier, HealthSettings settings, int count)
    {
        var changed = false;
        lock (_clusterLocks.GetValue(cluster, s_createLock))
        {
            if (outlier.Ejected || transitions.IsInMaintenance(cluster, destination))
            {
                return;
            }

            var all = cluster.DestinationsState.AllDestinations;
            var ejected = 0;
            foreach (var other in all)
            {
                if (_outliers.TryGetValue(other, out var o) && o.Ejected)
                {
                    ejected++;
                }
            }

            var share = (ejected + 1) * 100 / Math.Max(1, all.Count);
            if ((ejected + 1) * 100 > settings.MaxEjectionPercent * all.Count)
            {
                if (!outlier.RefusalLogged)
                {
                    outlier.RefusalLogged = true;
                    Log.NotEjected(logger, cluster.ClusterId, destination.DestinationId, count, share, settings.MaxEjectionPercent);
                }

                return;
            }

            var now = timeProvider.GetTimestamp();
            TimeSpan? inService = outlier.ReturnedAt == 0 ? null : timeProvider.GetElapsedTime(outlier.ReturnedAt, now);
            var period = EjectionBackoff.Next(ref outlier.Level, inService, settings.BaseEjectionTime);
            outlier.Ejected = true;
            outlier.RefusalLogged = false;
            outlier.Timer = CreateReturnTimer(cluster, destination, outlier, period);

            var reason = Describe(outlier.LastFailure);
            Log.Ejected(logger, cluster.ClusterId, destination.DestinationId, count, period, outlier.Level, reason);
            changed = transitions.Set(cluster, destination, HealthSource.Passive, DestinationHealth.Unhealthy,
                string.Create(CultureInfo.InvariantCulture, $"ejected for {period.TotalSeconds:0.###} s after {count} consecutive failures ({reason})"));
        }

        if (changed)
        {
            transitions.UpdateAvailableDestinations(cluster);
        }
    }

    private void Return(ClusterState cluster, DestinationState destination, Outlier outlier, TimeSpan period)
    {
        var changed = false;
        lock (_clusterLocks.GetValue(cluster, s_createLock))
        {
            outlier.Timer?.Dispose();
            outlier.Timer = null;
            if (transitions.IsInMaintenance(cluster, destination))
            {
                // Maintenance freezes health: the ejection lasts until a period ends outside maintenance.
                outlier.Timer = CreateReturnTimer(cluster, destination, outlier, HealthSettings.Of(cluster.Model).BaseEjectionTime);
                return;
            }

            outlier.Ejected = false;
            outlier.ReturnedAt = timeProvider.GetTimestamp();
            Interlocked.Exchange(ref outlier.ConsecutiveFailures, 0);
            Log.Returned(logger, cluster.ClusterId, destination.DestinationId, period);
            changed = transitions.Set(cluster, destination, HealthSource.Passive, DestinationHealth.Unknown,
                string.Create(CultureInfo.InvariantCulture, $"ejection of {period.TotalSeconds:0.###} s ended"));
        }

        if (changed)
        {
            transitions.UpdateAvailableDestinations(cluster);
        }
    }

    private ITimer CreateReturnTimer(ClusterState cluster, DestinationState destination, Outlier outlier, TimeSpan period)
    {
        // The ejecting request's execution context (its HttpContext among others) must not live on in the timer.
        var suppressed = !ExecutionContext.IsFlowSuppressed();
        if (suppressed)
        {
            ExecutionContext.SuppressFlow();
        }

        try
        {
            return timeProvider.CreateTimer(
                static state =>
                {
                    var (policy, cluster, destination, outlier, period) = ((OutlierDetectionHealthPolicy, ClusterState, DestinationState, Outlier, TimeSpan))state!;
                    policy.Return(cluster, destination, outlier, period);
                },
                (this, cluster, destination, outlier, period),
                period,
                Timeout.InfiniteTimeSpan);
        }
        finally
        {
            if (suppressed)
            {
                ExecutionContext.RestoreFlow();
            }
        }
    }

    private static string Describe(Failure? failure) => failure switch
    {
        null => "unknown",
        { Error: ForwarderError.None } => string.Create(CultureInfo.InvariantCulture, $"status {failure.Status}"),
        { Error: ForwarderError.Request, Exception: { } exception } => ProbeOutcome.Describe(exception, TimeSpan.Zero),
        { Error: ForwarderError.RequestTimedOut } => "upstream timeout",
        _ => failure.Error.ToString(),
    };

    internal enum Verdict
    {
        NotCounted,
        Success,
        Failure,
    }

    private sealed record Failure(int Status, ForwarderError Error, Exception? Exception);

    private sealed class Outlier
    {
        public int ConsecutiveFailures;
        public volatile Failure? LastFailure;

        // The fields below change only under the cluster's lock.
        public volatile bool Ejected;
        public int Level;
        public long ReturnedAt;
        public bool RefusalLogged;
        public ITimer? Timer;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3011, Level = LogLevel.Warning,
            Message = "Outlier detection: destination {ClusterId}/{DestinationId} is DOWN, ejected for {EjectionTime} (level {Level}) after {Count} consecutive failures; last failure: {LastFailure}")]
        public static partial void Ejected(ILogger logger, string clusterId, string destinationId, int count, TimeSpan ejectionTime, int level, string lastFailure);

        [LoggerMessage(EventId = 3012, Level = LogLevel.Warning,
            Message = "Outlier detection: destination {ClusterId}/{DestinationId} is UP, its ejection of {EjectionTime} ended")]
        public static partial void Returned(ILogger logger, string clusterId, string destinationId, TimeSpan ejectionTime);

        [LoggerMessage(EventId = 3013, Level = LogLevel.Warning,
            Message = "Outlier detection: destination {ClusterId}/{DestinationId} is not ejected after {Count} consecutive failures: {Percent}% of the cluster would be out, above OutlierDetection.MaxEjectionPercent {MaxEjectionPercent}%")]
        public static partial void NotEjected(ILogger logger, string clusterId, string destinationId, int count, int percent, int maxEjectionPercent);
    }
}
