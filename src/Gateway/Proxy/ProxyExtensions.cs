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
        return builder;
    }

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
