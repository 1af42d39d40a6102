using System.Net;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.LoadBalancing;

/// <summary>Every load-balancing policy through real HTTP, real Kestrel backends and the real gateway.</summary>
public sealed class LoadBalancingPolicyTests
{
    [Fact]
    public async Task RoundRobin_FourRequests_EachBackendTwice()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        using var gateway = new GatewayFactory(Configs.SingleCluster("RoundRobin", a, b));

        var names = await GetNamesAsync(gateway, 4);

        Assert.Equal(2, names.Count(n => n == "a"));
        Assert.Equal(2, names.Count(n => n == "b"));
    }

    [Fact]
    public async Task WeightedRoundRobin_Weights3And1_SplitsThreeToOne()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        using var gateway = new GatewayFactory(Configs.SingleCluster("WeightedRoundRobin", ("a", a.Address, 3), ("b", b.Address, 1)));

        var names = await GetNamesAsync(gateway, 40);

        Assert.Equal(30, names.Count(n => n == "a"));
        Assert.Equal(10, names.Count(n => n == "b"));
        Assert.DoesNotContain("aaaa", string.Concat(names));
    }

    [Fact]
    public async Task WeightedRoundRobin_WeightZero_GetsNoTraffic()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        using var gateway = new GatewayFactory(Configs.SingleCluster("WeightedRoundRobin", ("a", a.Address, 1), ("b", b.Address, 0)));

        var names = await GetNamesAsync(gateway, 10);

        Assert.All(names, n => Assert.Equal("a", n));
    }

    // LeastRequests prefers the fewest in flight; PowerOfTwoChoices with two destinations always
    // compares both, so the busier one always loses too.
    [Theory]
    [InlineData("LeastRequests")]
    [InlineData("PowerOfTwoChoices")]
    public async Task BusyAwarePolicy_OneBackendBusy_NewRequestsGoToTheIdleOne(string policy)
    {
        var release = new TaskCompletionSource();
        await using var slow = await TestBackend.StartAsync("slow");
        await using var fast = await TestBackend.StartAsync("fast");
        slow.Handler = async context =>
        {
            await release.Task;
            await context.Response.WriteAsync("slow");
        };
        using var gateway = new GatewayFactory(Configs.SingleCluster(policy, slow, fast));
        using var client = gateway.CreatePublicClient();

        // Occupy "slow" with a request that does not finish until released.
        var pending = new List<Task<string>>();
        while (slow.Requests < 1)
        {
            pending.Add(client.GetStringAsync("/"));
            await Eventually.TrueAsync(() => slow.Requests + fast.Requests >= pending.Count, "the request reached a backend");
        }

        var names = await GetNamesAsync(gateway, 6);
        release.SetResult();
        await Task.WhenAll(pending);

        Assert.All(names, n => Assert.Equal("fast", n));
    }

    [Fact]
    public async Task IpHash_DistinctSourceAddresses_EachClientStaysOnOneBackendAndAllBackendsUsed()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        await using var c = await TestBackend.StartAsync("c");
        using var gateway = new GatewayFactory(Configs.SingleCluster("IpHash", a, b, c));
        var address = gateway.PublicAddress;

        var assignment = new Dictionary<string, string>();
        for (var i = 2; i <= 41; i++)
        {
            using var client = LoopbackClient.From($"127.0.0.{i}", address);
            var names = new HashSet<string>();
            for (var r = 0; r < 3; r++)
            {
                names.Add(await client.GetStringAsync("/"));
            }

            assignment[$"127.0.0.{i}"] = Assert.Single(names);
        }

        Assert.Equal(3, assignment.Values.Distinct().Count());
    }

    [Fact]
    public async Task IpHash_ClientSentXForwardedForFromUntrustedPeer_PickUnchanged()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        await using var c = await TestBackend.StartAsync("c");
        using var gateway = new GatewayFactory(Configs.SingleCluster("IpHash", a, b, c));
        using var client = LoopbackClient.From("127.0.0.9", gateway.PublicAddress);

        var plain = await client.GetStringAsync("/");
        for (var i = 0; i < 30; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/");
            request.Headers.Add("X-Forwarded-For", $"203.0.113.{i}");
            var response = await client.SendAsync(request);
            Assert.Equal(plain, await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task IpHash_TrustedProxy_RightMostUntrustedForwardedAddressDecides()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        await using var c = await TestBackend.StartAsync("c");
        var seen = new List<string>();
        foreach (var backend in new[] { a, b, c })
        {
            backend.Handler = context =>
            {
                lock (seen)
                {
                    seen.Add(context.Request.Headers["X-Forwarded-For"].ToString());
                }

                return context.Response.WriteAsync(backend.Name);
            };
        }

        using var gateway = new GatewayFactory(
            Configs.SingleCluster("IpHash", a, b, c),
            new Dictionary<string, string?> { ["Gateway:ForwardedHeaders:TrustedProxies:0"] = "127.0.0.0/8" });
        var address = gateway.PublicAddress;

        // The same forwarded client through two different trusted proxies lands on the same backend;
        // a spoofed left-most entry is ignored because the right-most untrusted address is the client.
        var picks = new HashSet<string>();
        foreach (var proxy in new[] { "127.0.0.2", "127.0.0.3" })
        {
            using var client = LoopbackClient.From(proxy, address);
            using var request = new HttpRequestMessage(HttpMethod.Get, "/");
            request.Headers.Add("X-Forwarded-For", $"198.51.100.{(proxy == "127.0.0.2" ? 1 : 2)}, 203.0.113.50, 127.0.0.5");
            picks.Add(await (await client.SendAsync(request)).Content.ReadAsStringAsync());
        }

        Assert.Single(picks);
        Assert.All(seen, header => Assert.Equal("203.0.113.50", header));
    }

    private static async Task<List<string>> GetNamesAsync(GatewayFactory gateway, int count)
    {
        using var client = gateway.CreatePublicClient();
        var names = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var response = await client.GetAsync("/");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            names.Add(await response.Content.ReadAsStringAsync());
        }

        return names;
    }
}
