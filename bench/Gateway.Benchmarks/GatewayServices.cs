using Gateway.Admin;
using Gateway.ClientIp;
using Gateway.Configuration;
using Gateway.Health;
using Gateway.LoadBalancing;
using Gateway.Observability;
using Gateway.Proxy;
using Gateway.Reliability;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;

namespace Gateway.Benchmarks;

/// <summary>
/// The gateway's services and per-request pipeline, built by the same registration methods Program.cs
/// calls, so a benchmark measures what runs in production and picks up what those methods register.
/// </summary>
internal static class GatewayServices
{
    public static WebApplication Build(IReadOnlyDictionary<string, string?>? settings = null)
        => Builder(settings).Build();

    /// <summary>With the observability registrations too (and what the destination metrics read: health, admin states, queues).</summary>
    public static WebApplication BuildWithObservability()
    {
        var builder = Builder(null);
        builder.AddGatewayHealth();
        builder.AddGatewayAdmin();
        builder.AddGatewayObservability();
        builder.AddGatewayReliability();
        return builder.Build();
    }

    private static WebApplicationBuilder Builder(IReadOnlyDictionary<string, string?>? settings)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        builder.AddGatewayConfiguration(GatewayCommandLine.Parse([]));
        builder.AddGatewayProxy();
        builder.AddGatewayLoadBalancing();
        builder.AddGatewayClientIp();
        return builder;
    }

    /// <summary>The gateway's middleware in front of the proxy, ending in a no-op instead of forwarding.</summary>
    public static RequestDelegate Pipeline(WebApplication app)
    {
        app.UseGatewayClientIp();
        IApplicationBuilder pipeline = app;
        pipeline.Run(static _ => Task.CompletedTask);
        return pipeline.Build();
    }
}
