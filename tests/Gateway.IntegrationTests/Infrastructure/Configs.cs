using System.Text.Json;

namespace Gateway.IntegrationTests.Infrastructure;

/// <summary>Builds gateway configuration files in YARP's JSON schema.</summary>
public static class Configs
{
    public static string SingleCluster(string policy, params TestBackend[] backends)
        => SingleCluster(policy, backends.Select(b => (b.Name, b.Address, (int?)null)).ToArray());

    public static string SingleCluster(string policy, params (string Id, string Address, int? Weight)[] destinations)
    {
        var config = new
        {
            ReverseProxy = new
            {
                Routes = new Dictionary<string, object>
                {
                    ["all"] = new { ClusterId = "web", Match = new { Path = "/{**catch-all}" } },
                },
                Clusters = new Dictionary<string, object>
                {
                    ["web"] = new
                    {
                        LoadBalancingPolicy = policy,
                        Destinations = destinations.ToDictionary(
                            d => d.Id,
                            d => (object)(d.Weight is { } w
                                ? new { Address = d.Address, Metadata = new Dictionary<string, string> { ["Weight"] = w.ToString(System.Globalization.CultureInfo.InvariantCulture) } }
                                : new { Address = d.Address })),
                    },
                },
            },
        };
        return JsonSerializer.Serialize(config);
    }
}
