using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Reliability;

/// <summary><c>--check</c> and start-up refuse bad retry, queue and rate-limit settings, naming where they are.</summary>
public sealed class ReliabilityCheckTests
{
    [Fact]
    public async Task Check_BadRetryQueueAndRateLimitSettings_ExitsOneNamingEach()
    {
        var path = Write("""
        {
          "Gateway": { "RateLimits": {
            "per-ip": { "Kind": "FixedWindow", "PermitLimit": 0, "Window": "00:00:01" },
            "burst": { "Kind": "Bucket" }
          } },
          "ReverseProxy": {
            "Routes": { "r1": { "ClusterId": "web", "RateLimiterPolicy": "per-ip", "Match": { "Path": "/{**all}" } } },
            "Clusters": {
              "web": {
                "Metadata": { "Retry.Count": "-1", "Retry.NonIdempotent": "maybe", "QueueTimeout": "soon" },
                "Destinations": {
                  "a": { "Address": "http://127.0.0.1:1/", "Metadata": { "MaxConnections": "0", "MaxQueue": "x" } }
                }
              }
            }
          }
        }
        """);

        var (exitCode, _, stderr) = await GatewayProcess.RunAsync("--config", path, "--check");

        Assert.Equal(1, exitCode);
        Assert.Contains("Gateway:RateLimits:per-ip:PermitLimit 0 is invalid", stderr, StringComparison.Ordinal);
        Assert.Contains("Gateway:RateLimits:burst:Kind 'Bucket' is unknown", stderr, StringComparison.Ordinal);
        Assert.Contains("Cluster 'web': Retry.Count '-1' is invalid", stderr, StringComparison.Ordinal);
        Assert.Contains("Cluster 'web': Retry.NonIdempotent 'maybe' is invalid", stderr, StringComparison.Ordinal);
        Assert.Contains("Cluster 'web': QueueTimeout 'soon' is invalid", stderr, StringComparison.Ordinal);
        Assert.Contains("Cluster 'web', destination 'a': MaxConnections '0' is invalid", stderr, StringComparison.Ordinal);
        Assert.Contains("Cluster 'web', destination 'a': MaxQueue 'x' is invalid", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_UnknownRateLimitKeyOrUnknownPolicy_ExitsOneNamingIt()
    {
        var path = Write("""
        {
          "Gateway": { "RateLimits": { "per-ip": { "Kind": "FixedWindow", "PermitLimt": 5, "Window": "00:00:01" } } },
          "ReverseProxy": {
            "Routes": { "r1": { "ClusterId": "web", "RateLimiterPolicy": "nope", "Match": { "Path": "/{**all}" } } },
            "Clusters": { "web": { "Destinations": { "a": { "Address": "http://127.0.0.1:1/" } } } }
          }
        }
        """);

        var (exitCode, _, stderr) = await GatewayProcess.RunAsync("--config", path, "--urls", "http://127.0.0.1:0", "--Gateway:Admin:Urls=http://127.0.0.1:0");

        Assert.Equal(1, exitCode);
        Assert.Contains("PermitLimt", stderr, StringComparison.Ordinal);
        Assert.Contains("RateLimiter policy 'nope' not found for route 'r1'", stderr, StringComparison.Ordinal);
    }

    private static string Write(string json)
    {
        var path = Path.Combine(Path.GetTempPath(), $"gateway-check-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return path;
    }
}
