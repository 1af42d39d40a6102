using System.Net;
using Gateway.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Gateway.IntegrationTests.Admin;

public sealed class DrainMaintTrafficTests
{
    private static readonly Dictionary<string, string?> s_withToken = new() { ["Gateway:Admin:Token"] = AdminClient.Token };

    [Theory]
    [InlineData("RoundRobin", "drain")]
    [InlineData("RoundRobin", "maint")]
    [InlineData("IpHash", "drain")]
    [InlineData("WeightedRoundRobin", "maint")]
    [InlineData("PowerOfTwoChoices", "drain")]
    public async Task NewRequests_DestinationDrainedOrInMaintenance_GoElsewhereUntilReady(string policy, string state)
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        using var gateway = new GatewayFactory(AdminConfigs.Cluster([a, b], policy), s_withToken);
        using var client = gateway.CreatePublicClient();
        using var admin = gateway.CreateAdminClient();

        await admin.SetStateAsync("web", "a", state);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal("b", await client.GetStringAsync("/"));
        }

        Assert.Equal(0, a.Requests);
        await admin.SetStateAsync("web", "a", "ready");
        await admin.SetStateAsync("web", "b", state);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal("a", await client.GetStringAsync("/"));
        }
    }

    [Fact]
    public async Task PinnedRequests_Drain_StayOnDestinationWhileNewClientsGoElsewhere()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        using var gateway = new GatewayFactory(AdminConfigs.Cluster([a, b], sessionAffinity: true), s_withToken);
        using var client = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = gateway.PublicAddress };
        using var admin = gateway.CreateAdminClient();
        var (pinnedTo, cookie) = await FirstPinnedAsync(client);
        var other = pinnedTo == "a" ? "b" : "a";

        await admin.SetStateAsync("web", pinnedTo, "drain");

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(pinnedTo, await GetWithCookieAsync(client, cookie));
            Assert.Equal(other, await client.GetStringAsync("/"));
        }
    }

    [Fact]
    public async Task PinnedRequests_Maint_MoveToAnotherDestination()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        using var gateway = new GatewayFactory(AdminConfigs.Cluster([a, b], sessionAffinity: true), s_withToken);
        using var client = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = gateway.PublicAddress };
        using var admin = gateway.CreateAdminClient();
        var (pinnedTo, cookie) = await FirstPinnedAsync(client);
        var other = pinnedTo == "a" ? "b" : "a";

        await admin.SetStateAsync("web", pinnedTo, "maint");

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(other, await GetWithCookieAsync(client, cookie));
        }
    }

    [Fact]
    public async Task InFlightRequest_Drain_Completes()
    {
        await using var a = await TestBackend.StartAsync("a");
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        a.Handler = async context =>
        {
            entered.TrySetResult();
            await release.Task;
            await context.Response.WriteAsync("finished");
        };
        using var gateway = new GatewayFactory(AdminConfigs.Cluster([a]), s_withToken);
        using var client = gateway.CreatePublicClient();
        using var admin = gateway.CreateAdminClient();

        var pending = client.GetAsync("/");
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await admin.SetStateAsync("web", "a", "drain");
        release.TrySetResult();

        using var response = await pending;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("finished", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task NewRequests_EveryDestinationInMaintenance_Answer503WithoutReachingABackend()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        using var gateway = new GatewayFactory(AdminConfigs.Cluster([a, b]), s_withToken);
        using var client = gateway.CreatePublicClient();
        using var admin = gateway.CreateAdminClient();

        await admin.SetStateAsync("web", "a", "maint");
        await admin.SetStateAsync("web", "b", "drain");
        using var response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(0, a.Requests + b.Requests);
    }

    private static async Task<(string Backend, string Cookie)> FirstPinnedAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/");
        var setCookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(AdminConfigs.AffinityCookie + "=", StringComparison.Ordinal));
        return (await response.Content.ReadAsStringAsync(), setCookie.Split(';')[0]);
    }

    private static async Task<string> GetWithCookieAsync(HttpClient client, string cookie)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("Cookie", cookie);
        using var response = await client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }
}
