using Gateway.Admin;
using Gateway.Configuration;
using Gateway.Health;
using Gateway.Observability;
using Gateway.Reliability;

namespace Gateway.Proxy;

public static class ProxyExtensions
{
    public const string SectionName = "ReverseProxy";

    /// <summary>YARP, configured from the <c>ReverseProxy</c> section in YARP's own schema and hot-reloaded.</summary>
    public static WebApplicationBuilder AddGatewayProxy(this WebApplicationBuilder builder)
    {
        builder.AddGatewayHotPathDefaults();
        builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection(SectionName))
            .AddConfigFilter<ClusterReferenceFilter>();
        builder.Services.LoadDataProtectionKeysOnFirstUse();
        return builder;
    }

    /// <summary>
    /// YARP registers ASP.NET Core Data Protection for its session-affinity cookies, and Data Protection's hosted
    /// service loads the key ring at start-up: it creates a key and writes it under the home folder, mapping
    /// OpenSSL and the XML stack on the way, 12 MiB resident (README, Performance) in a gateway that may never
    /// set an affinity cookie. Without the hosted service the key ring loads when the first cookie is protected
    /// or read, and a gateway without affinity never loads it.
    /// </summary>
    internal static IServiceCollection LoadDataProtectionKeysOnFirstUse(this IServiceCollection services)
    {
        for (var i = services.Count - 1; i >= 0; i--)
        {
            if (services[i].ServiceType == typeof(IHostedService) && IsDataProtectionKeyRingLoader(services[i].ImplementationType))
            {
                services.RemoveAt(i);
            }
        }

        return services;
    }

    internal static bool IsDataProtectionKeyRingLoader(Type? type)
        => type is { Name: "DataProtectionHostedService", Namespace: "Microsoft.AspNetCore.DataProtection.Internal" };

    public static WebApplication MapGatewayProxy(this WebApplication app)
    {
        // YARP's default pipeline, spelled out so the gateway's own steps have a visible place in it.
        app.MapReverseProxy(proxy =>
        {
            proxy.UseGatewayObservability();
            proxy.UseGatewayRequestBuffering();
            proxy.UseGatewayRetries();
            proxy.UseSessionAffinity();
            proxy.UseGatewayAdminStates();
            proxy.UseLoadBalancing();
            proxy.UseNoAvailableDestinationResponse();
            proxy.UsePassiveHealthChecks();
            proxy.UseGatewayDestinationQueue();
            proxy.UseGatewayDestinationTraffic();
        });
        return app;
    }
}
