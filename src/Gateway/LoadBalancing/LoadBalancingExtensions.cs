using Microsoft.Extensions.DependencyInjection.Extensions;
using Yarp.ReverseProxy.Configuration.ClusterValidators;
using Yarp.ReverseProxy.LoadBalancing;

namespace Gateway.LoadBalancing;

public static class LoadBalancingExtensions
{
    /// <summary>The gateway's policies beside YARP's built-ins, and the validation of destination weights.</summary>
    public static WebApplicationBuilder AddGatewayLoadBalancing(this WebApplicationBuilder builder)
    {
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoadBalancingPolicy, IpHashLoadBalancingPolicy>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoadBalancingPolicy, WeightedRoundRobinLoadBalancingPolicy>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IClusterValidator, WeightValidator>());
        return builder;
    }
}
