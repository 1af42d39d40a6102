using Yarp.ReverseProxy.Configuration;

namespace Gateway.Demo;

public static class DemoExtensions
{
    /// <summary>Built-in demo backends and route, active when <c>Gateway:Demo:Enabled</c> is true.</summary>
    public static WebApplicationBuilder AddGatewayDemo(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<DemoConfigProvider>();
        builder.Services.AddSingleton<IProxyConfigProvider>(sp => sp.GetRequiredService<DemoConfigProvider>());
        builder.Services.AddHostedService<DemoBackends>();
        return builder;
    }
}
