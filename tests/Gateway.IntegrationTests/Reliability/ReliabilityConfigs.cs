using System.Text.Json;

namespace Gateway.IntegrationTests.Reliability;

/// <summary>One catch-all route to one cluster, with the cluster and destination metadata a test needs.</summary>
internal static class ReliabilityConfigs
{
    public static string Cluster(
        string policy,
        IEnumerable<(string Id, string Address)> destinations,
        IDictionary<string, string>? clusterMetadata = null,
        IDictionary<string, IDictionary<string, string>>? destinationMetadata = null,
        object? httpRequest = null,
        object? healthCheck = null)
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
                        Metadata = clusterMetadata ?? new Dictionary<string, string>(),
                        HttpRequest = httpRequest,
                        HealthCheck = healthCheck,
                        Destinations = destinations.ToDictionary(
                            d => d.Id,
                            d => (object)new
                            {
                                d.Address,
                                Metadata = destinationMetadata is not null && destinationMetadata.TryGetValue(d.Id, out var m) ? m : new Dictionary<string, string>(),
                            }),
                    },
                },
            },
        };
        return JsonSerializer.Serialize(config, new JsonSerializerOptions { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull });
    }

    /// <summary>A loopback port that nothing listens on: connecting to it is refused.</summary>
    public static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
