using System.Text.Json;
using System.Text.Json.Serialization;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Admin;

/// <summary>Gateway configurations for the admin tests: one cluster <c>web</c> behind a catch-all route.</summary>
internal static class AdminConfigs
{
    public const string ClusterId = "web";
    public const string AffinityCookie = "gw-affinity";

    private static readonly JsonSerializerOptions s_options = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <param name="activeHealthCheck">YARP's own <c>ConsecutiveFailures</c> active check on <c>/health</c>,
    /// every 500 ms, one failure marks a destination unhealthy.</param>
    public static string Cluster(
        IEnumerable<TestBackend> backends,
        string policy = "RoundRobin",
        bool activeHealthCheck = false,
        bool sessionAffinity = false,
        IReadOnlyDictionary<string, int>? weights = null,
        string clusterId = ClusterId)
    {
        var config = new
        {
            ReverseProxy = new
            {
                Routes = new Dictionary<string, object>
                {
                    ["all"] = new { ClusterId = clusterId, Match = new { Path = "/{**catch-all}" } },
                },
                Clusters = new Dictionary<string, object>
                {
                    [clusterId] = new
                    {
                        LoadBalancingPolicy = policy,
                        SessionAffinity = sessionAffinity ? new { Enabled = true, AffinityKeyName = AffinityCookie } : null,
                        HealthCheck = activeHealthCheck
                            ? new { Active = new { Enabled = true, Interval = "00:00:00.500", Timeout = "00:00:01", Policy = "ConsecutiveFailures", Path = "/health" } }
                            : null,
                        Metadata = activeHealthCheck ? new Dictionary<string, string> { ["ConsecutiveFailuresHealthPolicy.Threshold"] = "1" } : null,
                        Destinations = backends.ToDictionary(
                            b => b.Name,
                            b => new
                            {
                                b.Address,
                                Metadata = weights is not null && weights.TryGetValue(b.Name, out var weight)
                                    ? new Dictionary<string, string> { ["Weight"] = weight.ToString(System.Globalization.CultureInfo.InvariantCulture) }
                                    : null,
                            }),
                    },
                },
            },
        };
        return JsonSerializer.Serialize(config, s_options);
    }
}
