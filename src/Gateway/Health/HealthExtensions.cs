using Gateway.LoadBalancing;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Configuration.ClusterValidators;
using Yarp.ReverseProxy.Health;

namespace Gateway.Health;

public static class HealthExtensions
{
    /// <summary>
    /// The gateway's health checking: the <c>RiseFall</c> active and <c>OutlierDetection</c> passive policies,
    /// slow start for the weight-aware balancers, the validation of their cluster metadata, and
    /// <c>HealthyAndUnknown</c> as the default available-destinations policy.
    /// </summary>
    public static WebApplicationBuilder AddGatewayHealth(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<DestinationHealthLog>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ProbeDurations>();
        services.AddSingleton<SlowStartWeights>();
        services.AddSingleton<IEffectiveWeights>(sp => sp.GetRequiredService<SlowStartWeights>());
        services.AddSingleton<HealthTransitions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IActiveHealthCheckPolicy, RiseFallHealthPolicy>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPassiveHealthCheckPolicy, OutlierDetectionHealthPolicy>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IClusterValidator, HealthSettingsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProxyConfigFilter, AvailableDestinationsDefaultFilter>());
        return builder;
    }

    /// <summary>The proxy pipeline step that answers 503 when load balancing found no destination; place it after <c>UseLoadBalancing</c>.</summary>
    public static IReverseProxyApplicationBuilder UseNoAvailableDestinationResponse(this IReverseProxyApplicationBuilder proxy)
    {
        proxy.UseMiddleware<NoAvailableDestinationMiddleware>();
        return proxy;
    }
}
