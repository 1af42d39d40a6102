using System.Net;
using Gateway.Configuration;
using Gateway.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.IntegrationTests.Configuration;

/// <summary>Editing the configuration file while the gateway serves: good edits apply, bad ones are refused.</summary>
public sealed class HotReloadTests
{
    [Fact]
    public async Task Reload_RouteAdded_ServedWithoutRestart()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        using var gateway = new GatewayFactory(TwoRoutes(a, b, withSecond: false));
        using var client = gateway.CreatePublicClient();
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/b/x")).StatusCode);
        var tracker = gateway.Services.GetRequiredService<ConfigurationTracker>();
        var before = tracker.Current!.Id;

        gateway.WriteConfig(TwoRoutes(a, b, withSecond: true));

        await Eventually.TrueAsync(async () => (await client.GetAsync("/b/x")).StatusCode == HttpStatusCode.OK, "the new route serves");
        Assert.Equal("b", await client.GetStringAsync("/b/x"));
        Assert.Equal("a", await client.GetStringAsync("/a/x"));
        Assert.NotEqual(before, tracker.Current!.Id);
        Assert.Null(tracker.LastError);
    }

    [Theory]
    [InlineData("invalid JSON", "invalid JSON")]
    [InlineData("unknown policy", "'Nope'")]
    [InlineData("negative weight", "Weight '-1'")]
    [InlineData("unknown cluster", "'missing'")]
    public async Task Reload_BadEdit_RefusedAndLastGoodKeepsServing(string edit, string expectedError)
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        using var gateway = new GatewayFactory(TwoRoutes(a, b, withSecond: true));
        using var client = gateway.CreatePublicClient();
        Assert.Equal("b", await client.GetStringAsync("/b/x"));
        var tracker = gateway.Services.GetRequiredService<ConfigurationTracker>();
        var revision = tracker.Current!.Id;

        var good = TwoRoutes(a, b, withSecond: true);
        gateway.WriteConfig(edit switch
        {
            "invalid JSON" => good[..(good.Length / 2)],
            "unknown policy" => good.Replace("\"RoundRobin\"", "\"Nope\"", StringComparison.Ordinal),
            "negative weight" => good.Replace("\"Weight\": \"1\"", "\"Weight\": \"-1\"", StringComparison.Ordinal),
            _ => good.Replace("\"ClusterId\": \"b\"", "\"ClusterId\": \"missing\"", StringComparison.Ordinal),
        });

        await Eventually.TrueAsync(() => tracker.LastError?.Contains(expectedError, StringComparison.Ordinal) == true, $"the {edit} edit is rejected");
        Assert.Equal(revision, tracker.Current!.Id);
        Assert.Equal("a", await client.GetStringAsync("/a/x"));
        Assert.Equal("b", await client.GetStringAsync("/b/x"));

        // The operator fixes the file: it applies again.
        gateway.WriteConfig(TwoRoutes(a, b, withSecond: false));
        await Eventually.TrueAsync(async () => (await client.GetAsync("/b/x")).StatusCode == HttpStatusCode.NotFound, "the fixed configuration applies");
    }

    private static string TwoRoutes(TestBackend a, TestBackend b, bool withSecond) => $$"""
    {
      "ReverseProxy": {
        "Routes": {
          "a": { "ClusterId": "a", "Match": { "Path": "/a/{**rest}" } }{{(withSecond ? """
          ,
          "b": { "ClusterId": "b", "Match": { "Path": "/b/{**rest}" } }
          """ : string.Empty)}}
        },
        "Clusters": {
          "a": { "LoadBalancingPolicy": "RoundRobin", "Destinations": { "a1": { "Address": "{{a.Address}}", "Metadata": { "Weight": "1" } } } },
          "b": { "LoadBalancingPolicy": "RoundRobin", "Destinations": { "b1": { "Address": "{{b.Address}}" } } }
        }
      }
    }
    """;
}
