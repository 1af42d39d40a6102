using System.Runtime.CompilerServices;
using System.Text;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Gateway.Health;

/// <summary>
/// HAProxy's "503 Service Unavailable" when a backend has no server left: when nothing is left to forward
/// to after load balancing (all destinations down, ejected, in maintenance or of weight 0), answer 503 at
/// once with a short plain-text body naming the cluster, instead of YARP's empty 503. The request carries
/// YARP's <see cref="ForwarderError.NoAvailableDestinations"/> error, as when YARP answers itself, for the
/// access log and metrics.
/// </summary>
internal sealed class NoAvailableDestinationMiddleware(RequestDelegate next)
{
    private static readonly ConditionalWeakTable<ClusterState, byte[]>.CreateValueCallback s_createBody =
        static cluster => Encoding.UTF8.GetBytes($"503 Service Unavailable: no destination of cluster '{cluster.ClusterId}' is available.\n");

    private readonly ConditionalWeakTable<ClusterState, byte[]> _bodies = new();

    public Task Invoke(HttpContext context)
    {
        var proxy = context.GetReverseProxyFeature();
        if (proxy.AvailableDestinations.Count > 0 || proxy.Route.Cluster is not { } cluster)
        {
            return next(context);
        }

        context.Features.Set<IForwarderErrorFeature>(NoAvailableDestinationsError.Instance);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        response.Headers.CacheControl = "no-store";
        response.ContentType = "text/plain; charset=utf-8";
        if (HttpMethods.IsHead(context.Request.Method))
        {
            return Task.CompletedTask;
        }

        var body = _bodies.GetValue(cluster, s_createBody);
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    private sealed class NoAvailableDestinationsError : IForwarderErrorFeature
    {
        public static readonly NoAvailableDestinationsError Instance = new();

        public ForwarderError Error => ForwarderError.NoAvailableDestinations;

        public Exception? Exception => null;
    }
}
