using Microsoft.Extensions.DependencyInjection.Extensions;
using Yarp.ReverseProxy.Configuration.ClusterValidators;

namespace Gateway.Reliability;

public static class ReliabilityExtensions
{
    /// <summary>Retries with redispatch and per-destination connection limits with queues, and the validation of their metadata.</summary>
    public static WebApplicationBuilder AddGatewayReliability(this WebApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<DestinationQueues>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IClusterValidator, ReliabilityMetadataValidator>());
        return builder;
    }

    /// <summary>
    /// Retries: the first step of the proxy pipeline, because a retry runs every later step again (see
    /// <see cref="RetryMiddleware"/>).
    /// </summary>
    public static IApplicationBuilder UseGatewayRetries(this IApplicationBuilder proxy) => proxy.UseMiddleware<RetryMiddleware>();

    /// <summary>The per-destination queue: after load balancing has picked the destination, right before the forwarder.</summary>
    public static IApplicationBuilder UseGatewayDestinationQueue(this IApplicationBuilder proxy) => proxy.UseMiddleware<DestinationQueueMiddleware>();
}
