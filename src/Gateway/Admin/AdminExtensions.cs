using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gateway.Admin;

public static class AdminExtensions
{
    /// <summary>
    /// The admin listener (<c>Gateway:Admin:Urls</c>) with its probes, state API, runtime API and dashboard;
    /// the admin states with their state file; and the per-destination traffic counters.
    /// </summary>
    public static WebApplicationBuilder AddGatewayAdmin(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<DestinationAdminStates>();
        services.AddSingleton<AdminStateFilter>();
        services.AddSingleton<AdminStateFile>();
        services.AddHostedService(sp => sp.GetRequiredService<AdminStateFile>());
        services.AddSingleton<DestinationTraffic>();
        services.AddHostedService(sp => sp.GetRequiredService<DestinationTraffic>());
        services.AddSingleton<StateReport>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAdminEndpointSource, ProbeEndpoints>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAdminEndpointSource, StateEndpoints>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAdminEndpointSource, DashboardEndpoints>());
        services.AddSingleton<AdminServer>();
        services.AddHostedService(sp => sp.GetRequiredService<AdminServer>());
        return builder;
    }

    /// <summary>
    /// Proxy pipeline step between session affinity and load balancing: destinations in <c>drain</c> take only
    /// requests pinned to them by session affinity, those in <c>maint</c> take none.
    /// </summary>
    public static IReverseProxyApplicationBuilder UseGatewayAdminStates(this IReverseProxyApplicationBuilder proxy)
    {
        proxy.UseMiddleware<AdminStateMiddleware>();
        return proxy;
    }

    /// <summary>Proxy pipeline step after load balancing: counts requests, failures and latency per destination.</summary>
    public static IReverseProxyApplicationBuilder UseGatewayDestinationTraffic(this IReverseProxyApplicationBuilder proxy)
    {
        proxy.UseMiddleware<DestinationTrafficMiddleware>();
        return proxy;
    }
}
