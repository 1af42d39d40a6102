using System.Globalization;
using System.Threading.RateLimiting;
using Yarp.ReverseProxy.Model;

namespace Gateway.Reliability;

/// <summary>
/// HAProxy's per-server <c>maxconn</c> with its queue: once the load balancer has picked a destination that
/// has <c>MaxConnections</c>, the request waits first-in-first-out for a slot instead of piling onto the
/// backend. A full queue, or a wait longer than the cluster's <c>QueueTimeout</c>, is answered 503 with a
/// plain-text reason. Such a 503 is the gateway's own: no destination was proxied to, so passive health
/// does not count it.
/// </summary>
internal sealed partial class DestinationQueueMiddleware(
    RequestDelegate next,
    DestinationQueues queues,
    TimeProvider timeProvider,
    ILogger<DestinationQueueMiddleware> logger)
{
    public Task InvokeAsync(HttpContext context)
    {
        var feature = context.GetReverseProxyFeature();
        var destinations = feature.AvailableDestinations;
        if (destinations.Count != 1)
        {
            return next(context);
        }

        var destination = destinations[0];
        var limits = DestinationLimits.Of(destination.Model);
        if (limits.MaxConnections is null)
        {
            return next(context);
        }

        var queue = queues.GetOrCreate(feature.Cluster.Config.ClusterId, destination);
        var limiter = queue.LimiterFor(limits);
        var lease = limiter.AttemptAcquire();
        if (lease.IsAcquired)
        {
            return ForwardAsync(context, lease);
        }

        lease.Dispose();
        return WaitThenForwardAsync(context, feature.Cluster, destination, queue, limiter, limits);
    }

    private async Task ForwardAsync(HttpContext context, RateLimitLease lease)
    {
        using (lease)
        {
            await next(context);
        }
    }

    private async Task WaitThenForwardAsync(
        HttpContext context,
        ClusterModel cluster,
        DestinationState destination,
        DestinationQueue queue,
        ConcurrencyLimiter limiter,
        DestinationLimits limits)
    {
        var timeout = DestinationLimits.QueueTimeoutOf(cluster);
        RateLimitLease lease;
        using (var waiting = new CancellationTokenSource(timeout, timeProvider))
        using (context.RequestAborted.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), waiting))
        {
            try
            {
                lease = await limiter.AcquireAsync(1, waiting.Token);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                return;
            }
            catch (OperationCanceledException)
            {
                queue.CountTimeout();
                Log.QueueTimeout(logger, cluster.Config.ClusterId, destination.DestinationId, timeout);
                await RejectAsync(context, string.Create(CultureInfo.InvariantCulture,
                    $"Service unavailable: waited longer than the queue timeout ({timeout}) for a connection to destination '{destination.DestinationId}' of cluster '{cluster.Config.ClusterId}'.\n"));
                return;
            }
        }

        if (!lease.IsAcquired)
        {
            lease.Dispose();
            queue.CountQueueFull();
            Log.QueueFull(logger, cluster.Config.ClusterId, destination.DestinationId, limits.MaxQueue ?? 0);
            await RejectAsync(context, string.Create(CultureInfo.InvariantCulture,
                $"Service unavailable: the queue of destination '{destination.DestinationId}' of cluster '{cluster.Config.ClusterId}' is full ({limits.MaxQueue} waiting, {limits.MaxConnections} in flight).\n"));
            return;
        }

        await ForwardAsync(context, lease);
    }

    private static Task RejectAsync(HttpContext context, string reason)
    {
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(reason, context.RequestAborted);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1402, Level = LogLevel.Warning,
            Message = "Cluster '{ClusterId}', destination '{DestinationId}': queue full (MaxQueue {MaxQueue}); answered 503")]
        public static partial void QueueFull(ILogger logger, string clusterId, string destinationId, int maxQueue);

        [LoggerMessage(EventId = 1403, Level = LogLevel.Warning,
            Message = "Cluster '{ClusterId}', destination '{DestinationId}': waited longer than QueueTimeout {Timeout} for a connection; answered 503")]
        public static partial void QueueTimeout(ILogger logger, string clusterId, string destinationId, TimeSpan timeout);
    }
}
