using System.Net;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Routing;

/// <summary>YARP's routing and session affinity, configured as the README shows, through real HTTP.</summary>
public sealed class RoutingTests : IAsyncLifetime
{
    private TestBackend _api = null!;
    private TestBackend _web = null!;
    private TestBackend _beta = null!;
    private TestBackend _admin = null!;
    private TestBackend _search = null!;
    private TestBackend _writes = null!;

    public async Task InitializeAsync()
    {
        _api = await TestBackend.StartAsync("api");
        _web = await TestBackend.StartAsync("web");
        _beta = await TestBackend.StartAsync("beta");
        _admin = await TestBackend.StartAsync("admin-host");
        _search = await TestBackend.StartAsync("search");
        _writes = await TestBackend.StartAsync("writes");
    }

    public async Task DisposeAsync()
    {
        foreach (var backend in new[] { _api, _web, _beta, _admin, _search, _writes })
        {
            await backend.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("GET", "/api/orders", null, null, "api")]
    [InlineData("GET", "/index.html", null, null, "web")]
    [InlineData("GET", "/index.html", "X-Canary", "beta", "beta")]
    [InlineData("GET", "/index.html", "X-Canary", "stable", "web")]
    [InlineData("GET", "/products?q=shoes", null, null, "search")]
    [InlineData("POST", "/products", null, null, "writes")]
    [InlineData("GET", "/products", null, null, "web")]
    public async Task Route_ByPathHeaderQueryAndMethod_ReachesTheRightCluster(string method, string path, string? header, string? value, string expected)
    {
        using var gateway = new GatewayFactory(RoutingConfig());
        using var client = gateway.CreatePublicClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (header is not null)
        {
            request.Headers.Add(header, value);
        }

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Route_ByHost_ReachesTheHostsCluster()
    {
        using var gateway = new GatewayFactory(RoutingConfig());
        using var client = gateway.CreatePublicClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/anything");
        request.Headers.Host = "admin.example.com";

        var response = await client.SendAsync(request);

        Assert.Equal("admin-host", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task SessionAffinity_Cookie_PinsTheClientToOneDestination()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        var config = $$"""
        {
          "ReverseProxy": {
            "Routes": { "all": { "ClusterId": "web", "Match": { "Path": "/{**catch-all}" } } },
            "Clusters": {
              "web": {
                "LoadBalancingPolicy": "RoundRobin",
                "SessionAffinity": { "Enabled": true, "Policy": "Cookie", "AffinityKeyName": ".Gateway.Affinity" },
                "Destinations": {
                  "a": { "Address": "{{a.Address}}" },
                  "b": { "Address": "{{b.Address}}" }
                }
              }
            }
          }
        }
        """;
        using var gateway = new GatewayFactory(config);
        using var pinned = new HttpClient(new HttpClientHandler { UseCookies = true }) { BaseAddress = gateway.PublicAddress };

        var first = await pinned.GetAsync("/");
        Assert.Contains(first.Headers.GetValues("Set-Cookie"), c => c.StartsWith(".Gateway.Affinity=", StringComparison.Ordinal));
        var names = new HashSet<string> { await first.Content.ReadAsStringAsync() };
        for (var i = 0; i < 8; i++)
        {
            names.Add(await pinned.GetStringAsync("/"));
        }

        Assert.Single(names);
    }

    private string RoutingConfig() => $$"""
    {
      "ReverseProxy": {
        "Routes": {
          "by-host":   { "ClusterId": "admin-host", "Match": { "Hosts": [ "admin.example.com" ] } },
          "api":       { "ClusterId": "api", "Match": { "Path": "/api/{**rest}" } },
          "canary":    { "ClusterId": "beta", "Order": -1, "Match": { "Path": "/{**catch-all}", "Headers": [ { "Name": "X-Canary", "Values": [ "beta" ] } ] } },
          "search":    { "ClusterId": "search", "Match": { "Path": "/products", "QueryParameters": [ { "Name": "q", "Mode": "Exists" } ] } },
          "writes":    { "ClusterId": "writes", "Match": { "Path": "/products", "Methods": [ "POST", "PUT", "DELETE" ] } },
          "fallback":  { "ClusterId": "web", "Order": 100, "Match": { "Path": "/{**catch-all}" } }
        },
        "Clusters": {
          "api":        { "Destinations": { "d": { "Address": "{{_api.Address}}" } } },
          "web":        { "Destinations": { "d": { "Address": "{{_web.Address}}" } } },
          "beta":       { "Destinations": { "d": { "Address": "{{_beta.Address}}" } } },
          "admin-host": { "Destinations": { "d": { "Address": "{{_admin.Address}}" } } },
          "search":     { "Destinations": { "d": { "Address": "{{_search.Address}}" } } },
          "writes":     { "Destinations": { "d": { "Address": "{{_writes.Address}}" } } }
        }
      }
    }
    """;
}
