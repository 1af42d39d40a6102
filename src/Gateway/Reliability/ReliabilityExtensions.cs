using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration.ClusterValidators;

namespace Gateway.Reliability;

public static class ReliabilityExtensions
{
    /// <summary>Retries with redispatch and per-destination connection limits with queues, and the validation of their metadata.</summary>
    public static WebApplicationBuilder AddGatewayReliability(this WebApplicationBuilder builder)
    {
        // Kestrel accepts a bare LF as a line terminator (RFC 9112 section 2.2 allows it); HAProxy and nginx
        // in front of or behind the gateway may not, and a disagreement about where a header ends is how
        // requests get smuggled. This switch is Kestrel's only way to refuse it; it must be set before the
        // server is created and applies to the whole process.
        AppContext.SetSwitch("Microsoft.AspNetCore.Server.Kestrel.DisableHttp1LineFeedTerminators", true);
        builder.Services.AddSingleton<IConfigureOptions<KestrelServerOptions>, SlowClientDefaults>();
        builder.Services.AddSingleton<IConfigureOptions<KestrelServerOptions>, StrictContentLength>();
        builder.Services.AddSingleton<IConfigureOptions<SocketTransportOptions>, SlowClientDefaults>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<DestinationQueues>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IClusterValidator, ReliabilityMetadataValidator>());
        return builder;
    }

    /// <summary>First in the pipeline: refuses request framing Kestrel tolerates but HAProxy and nginx refuse.</summary>
    public static WebApplication UseGatewayRequestFraming(this WebApplication app)
    {
        app.UseMiddleware<RequestFramingMiddleware>();
        return app;
    }

    /// <summary>
    /// The first step of the proxy pipeline, after routing and rate limiting: reads small request bodies whole
    /// before a destination is picked (see <see cref="RequestBodyBufferingMiddleware"/>).
    /// </summary>
    public static IApplicationBuilder UseGatewayRequestBuffering(this IApplicationBuilder proxy) => proxy.UseMiddleware<RequestBodyBufferingMiddleware>();

    /// <summary>
    /// Retries: before every other step that concerns destinations, because a retry runs every later step again (see
    /// <see cref="RetryMiddleware"/>).
    /// </summary>
    public static IApplicationBuilder UseGatewayRetries(this IApplicationBuilder proxy) => proxy.UseMiddleware<RetryMiddleware>();

    /// <summary>The per-destination queue: after load balancing has picked the destination, right before the forwarder.</summary>
    public static IApplicationBuilder UseGatewayDestinationQueue(this IApplicationBuilder proxy) => proxy.UseMiddleware<DestinationQueueMiddleware>();
}
