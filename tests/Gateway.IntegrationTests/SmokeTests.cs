using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests;

public sealed class SmokeTests
{
    [Fact]
    public async Task Proxy_RoundRobin_RotatesAcrossBackends()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        using var gateway = new GatewayFactory(Configs.SingleCluster("RoundRobin", a, b));
        using var client = gateway.CreatePublicClient();

        var names = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            names.Add(await client.GetStringAsync("/anything"));
        }

        Assert.Equal(2, names.Count(n => n == "a"));
        Assert.Equal(2, names.Count(n => n == "b"));
    }
}
