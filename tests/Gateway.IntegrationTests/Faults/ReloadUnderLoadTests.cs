using System.Text.Json;
using Gateway.Configuration;
using Gateway.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Gateway.IntegrationTests.Faults;

/// <summary>Configuration reloads while the gateway serves sustained concurrent load.</summary>
public sealed class ReloadUnderLoadTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Reload_TwentyTimesUnderConcurrentLoad_NoFailedRequest()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        await using var c = await TestBackend.StartAsync("c");
        using var gateway = new GatewayFactory(Variant(0, a, b, c));
        var tracker = gateway.Services.GetRequiredService<ConfigurationTracker>();
        await using var load = new LoadRunner(gateway.PublicAddress, workers: 16, deadline: TimeSpan.FromMinutes(3));

        for (var i = 1; i <= 20; i++)
        {
            var before = tracker.Current!.Id;
            gateway.WriteConfig(Variant(i, a, b, c));
            await Eventually.TrueAsync(() => tracker.Current!.Id != before, $"reload {i} is applied", TimeSpan.FromSeconds(30));
            var served = load.Results.Count;
            await Eventually.TrueAsync(() => load.Results.Count >= served + 100, $"100 requests are served after reload {i}", TimeSpan.FromSeconds(30));
        }

        var results = await load.StopAsync();
        var failed = results.Where(r => !r.Ok).ToArray();
        output.WriteLine($"20 reloads, {results.Count} requests, {failed.Length} failed");
        Assert.Null(tracker.LastError);
        Assert.True(failed.Length == 0, $"{failed.Length} of {results.Count} failed: {string.Join(", ", failed.Take(10).Select(f => f.Describe()))}");
    }

    /// <summary>Each revision changes the policy, the weights, the destinations and the routes, keeping <c>/load</c> served.</summary>
    private static string Variant(int i, TestBackend a, TestBackend b, TestBackend c)
    {
        var destinations = new Dictionary<string, object>
        {
            ["a"] = new { a.Address, Metadata = new Dictionary<string, string> { ["Weight"] = (1 + (i % 3)).ToString(System.Globalization.CultureInfo.InvariantCulture) } },
            ["b"] = new { b.Address },
        };
        if (i % 2 == 1)
        {
            destinations["c"] = new { c.Address };
        }

        var routes = new Dictionary<string, object>
        {
            ["load"] = new { ClusterId = "web", Match = new { Path = "/load/{**rest}" } },
        };
        if (i % 4 == 2)
        {
            routes[$"extra{i}"] = new { ClusterId = "web", Match = new { Path = $"/extra{i}/{{**rest}}" } };
        }

        return JsonSerializer.Serialize(new
        {
            ReverseProxy = new
            {
                Routes = routes,
                Clusters = new Dictionary<string, object>
                {
                    ["web"] = new { LoadBalancingPolicy = (i % 3) switch { 0 => "RoundRobin", 1 => "WeightedRoundRobin", _ => "LeastRequests" }, Destinations = destinations },
                },
            },
        });
    }
}
