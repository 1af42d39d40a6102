using System.Net;
using System.Text.Json;
using Gateway.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Yarp.ReverseProxy;

namespace Gateway.IntegrationTests.Configuration;

public sealed class DemoTests
{
    [Fact]
    public async Task Demo_EnabledWithoutRoutes_RotatesAcrossThreeBuiltInBackends()
    {
        // No override: the repository's appsettings.json turns the demo on outside Production.
        using var gateway = new GatewayFactory("{}", new Dictionary<string, string?> { ["Gateway:Demo:Enabled"] = null });
        using var client = gateway.CreatePublicClient();

        var names = new HashSet<string>();
        await Eventually.TrueAsync(async () =>
        {
            var response = await client.GetAsync("/hello");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                names.Add(json.RootElement.GetProperty("backend").GetString()!);
            }

            return names.Count == 3;
        }, "all three demo backends answered");

        Assert.Equal(["demo-1", "demo-2", "demo-3"], names.Order());
    }

    [Fact]
    public async Task Production_OwnClusters_NoDemoRouteClusterOrDestination()
    {
        await using var a = await TestBackend.StartAsync("a");
        using var gateway = new GatewayFactory(Configs.SingleCluster("RoundRobin", a), environment: "Production");
        using var client = gateway.CreatePublicClient();

        Assert.Equal("a", await client.GetStringAsync("/hello"));
        var state = gateway.Services.GetRequiredService<IProxyStateLookup>();
        Assert.DoesNotContain(state.GetRoutes(), r => r.Config.RouteId.StartsWith("demo", StringComparison.Ordinal));
        Assert.DoesNotContain(state.GetClusters(), c => c.ClusterId.StartsWith("demo", StringComparison.Ordinal)
            || c.Destinations.Keys.Any(d => d.StartsWith("demo", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Production_DefaultSettings_DemoOff()
    {
        using var gateway = new GatewayFactory("{}", new Dictionary<string, string?> { ["Gateway:Demo:Enabled"] = null }, environment: "Production");
        using var client = gateway.CreatePublicClient();

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/hello")).StatusCode);
        Assert.Empty(gateway.Services.GetRequiredService<IProxyStateLookup>().GetClusters());
    }
}
