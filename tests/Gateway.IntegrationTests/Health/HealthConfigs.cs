using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Health;

/// <summary>One cluster <c>web</c> behind a catch-all route, with the health settings a test needs.</summary>
internal static class HealthConfigs
{
    private static readonly JsonSerializerOptions s_options = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public static string Cluster(
        TestBackend[] backends,
        TimeSpan? interval = null,
        bool passive = false,
        Dictionary<string, string>? metadata = null,
        string policy = "RoundRobin",
        string path = "/health",
        TimeSpan? timeout = null,
        TimeSpan? reactivationPeriod = null,
        bool active = true,
        string routePath = "/{**catch-all}",
        int? weight = null)
    {
        var config = new
        {
            ReverseProxy = new
            {
                Routes = new Dictionary<string, object>
                {
                    ["all"] = new { ClusterId = "web", Match = new { Path = routePath } },
                },
                Clusters = new Dictionary<string, object>
                {
                    ["web"] = new
                    {
                        LoadBalancingPolicy = policy,
                        HealthCheck = new
                        {
                            Active = active
                                ? new
                                {
                                    Enabled = true,
                                    Interval = Format(interval ?? TimeSpan.FromMilliseconds(500)),
                                    Timeout = Format(timeout ?? TimeSpan.FromSeconds(1)),
                                    Policy = "RiseFall",
                                    Path = path,
                                }
                                : null,
                            Passive = passive
                                ? new { Enabled = true, Policy = "OutlierDetection", ReactivationPeriod = Format(reactivationPeriod ?? TimeSpan.FromSeconds(30)) }
                                : null,
                        },
                        Metadata = metadata,
                        Destinations = backends.ToDictionary(
                            b => b.Name,
                            b => (object)new
                            {
                                b.Address,
                                Metadata = weight is { } w ? new Dictionary<string, string> { ["Weight"] = w.ToString(CultureInfo.InvariantCulture) } : null,
                            }),
                    },
                },
            },
        };
        return JsonSerializer.Serialize(config, s_options);
    }

    private static string Format(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);
}
