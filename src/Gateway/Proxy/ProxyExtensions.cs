using Gateway.Configuration;

namespace Gateway.Proxy;

public static class ProxyExtensions
{
    public const string SectionName = "ReverseProxy";

    /// <summary>YARP, configured from the <c>ReverseProxy</c> section in YARP's own schema and hot-reloaded.</summary>
    public static WebApplicationBuilder AddGatewayProxy(this WebApplicationBuilder builder)
    {
        builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection(SectionName))
            .AddConfigFilter<ClusterReferenceFilter>();
        return builder;
    }

    public static WebApplication MapGatewayProxy(this WebApplication app)
    {
        app.MapReverseProxy();
        return app;
    }
}
