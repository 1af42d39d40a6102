using System.Net;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.RateLimiting;

/// <summary><c>Gateway:RateLimits</c> policies attached to routes with <c>RateLimiterPolicy</c>, per client IP.</summary>
public sealed class RateLimitTests
{
    [Theory]
    [InlineData("FixedWindow", "\"PermitLimit\": 2, \"Window\": \"00:00:30\"", 30)]
    [InlineData("SlidingWindow", "\"PermitLimit\": 2, \"Window\": \"00:00:30\", \"SegmentsPerWindow\": 3", 30)]
    [InlineData("TokenBucket", "\"TokenLimit\": 2, \"TokensPerPeriod\": 1, \"ReplenishmentPeriod\": \"00:00:20\"", 20)]
    public async Task Request_OverLimit_429WithRetryAfterAndNeverReachesBackend(string kind, string settings, int maxRetryAfter)
    {
        await using var backend = await TestBackend.StartAsync("backend");
        using var gateway = new GatewayFactory(Config(backend, $$"""{ "Kind": "{{kind}}", {{settings}} }"""));
        using var client = gateway.CreatePublicClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/limited/1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/limited/2")).StatusCode);
        var rejected = await client.GetAsync("/limited/3");

        Assert.Equal(HttpStatusCode.TooManyRequests, rejected.StatusCode);
        var retryAfter = Assert.Single(rejected.Headers.GetValues("Retry-After"));
        Assert.InRange(int.Parse(retryAfter, System.Globalization.CultureInfo.InvariantCulture), 1, maxRetryAfter);
        Assert.Contains("rate limit 'limit'", await rejected.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(2, backend.Requests);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/free/1")).StatusCode);
    }

    [Fact]
    public async Task Request_OverConcurrencyLimit_429WithoutRetryAfter()
    {
        var release = new TaskCompletionSource();
        await using var backend = await TestBackend.StartAsync("backend");
        backend.Handler = async context =>
        {
            await release.Task;
            await context.Response.WriteAsync("ok");
        };
        using var gateway = new GatewayFactory(Config(backend, """{ "Kind": "Concurrency", "PermitLimit": 1 }"""));
        using var client = gateway.CreatePublicClient();

        var first = client.GetAsync("/limited/1");
        await Eventually.TrueAsync(() => backend.Requests == 1, "the first request is in flight");
        var rejected = await client.GetAsync("/limited/2");

        Assert.Equal(HttpStatusCode.TooManyRequests, rejected.StatusCode);
        Assert.False(rejected.Headers.Contains("Retry-After"));
        release.SetResult();
        Assert.Equal(HttpStatusCode.OK, (await first).StatusCode);
        Assert.Equal(1, backend.Requests);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/limited/3")).StatusCode);
    }

    [Fact]
    public async Task Request_FromOtherClientIp_HasItsOwnQuota()
    {
        await using var backend = await TestBackend.StartAsync("backend");
        using var gateway = new GatewayFactory(Config(backend, """{ "Kind": "FixedWindow", "PermitLimit": 1, "Window": "00:00:30" }"""));
        using var first = LoopbackClient.From("127.0.0.2", gateway.PublicAddress);
        using var second = LoopbackClient.From("127.0.0.3", gateway.PublicAddress);

        Assert.Equal(HttpStatusCode.OK, (await first.GetAsync("/limited/a")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await first.GetAsync("/limited/b")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync("/limited/a")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await second.GetAsync("/limited/b")).StatusCode);
    }

    [Fact]
    public async Task Request_QueueLimit_WaitsInsteadOfRejected()
    {
        await using var backend = await TestBackend.StartAsync("backend");
        using var gateway = new GatewayFactory(Config(backend, """{ "Kind": "TokenBucket", "TokenLimit": 1, "TokensPerPeriod": 1, "ReplenishmentPeriod": "00:00:00.500", "QueueLimit": 1 }"""));
        using var client = gateway.CreatePublicClient();

        var responses = await Task.WhenAll(client.GetAsync("/limited/1"), client.GetAsync("/limited/2"));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
    }

    [Fact]
    public async Task Request_BehindTrustedProxy_PartitionedByForwardedClientIp()
    {
        await using var backend = await TestBackend.StartAsync("backend");
        using var gateway = new GatewayFactory(
            Config(backend, """{ "Kind": "FixedWindow", "PermitLimit": 1, "Window": "00:00:30" }"""),
            new Dictionary<string, string?> { ["Gateway:ForwardedHeaders:TrustedProxies:0"] = "127.0.0.1" });
        using var client = gateway.CreatePublicClient();

        async Task<HttpStatusCode> From(string clientIp)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/limited/x");
            request.Headers.Add("X-Forwarded-For", clientIp);
            return (await client.SendAsync(request)).StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await From("203.0.113.1"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await From("203.0.113.1"));
        Assert.Equal(HttpStatusCode.OK, await From("203.0.113.2"));
    }

    private static string Config(TestBackend backend, string policy) => $$"""
    {
      "Gateway": { "RateLimits": { "limit": {{policy}} } },
      "ReverseProxy": {
        "Routes": {
          "limited": { "ClusterId": "web", "RateLimiterPolicy": "limit", "Match": { "Path": "/limited/{**rest}" } },
          "free": { "ClusterId": "web", "Match": { "Path": "/free/{**rest}" } }
        },
        "Clusters": { "web": { "Destinations": { "b1": { "Address": "{{backend.Address}}" } } } }
      }
    }
    """;
}
