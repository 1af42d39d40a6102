using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Configuration;

/// <summary>The contract's command line, on the real built app in a process of its own.</summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gateway-cli-").FullName;

    [Fact]
    public async Task Check_ValidConfig_ExitsZeroWithOneSummaryLine()
    {
        var path = Write("good.json", Configs.SingleCluster("IpHash", ("a", "http://127.0.0.1:1/", 2), ("b", "http://127.0.0.1:2/", null)));

        var (exitCode, stdout, stderr) = await GatewayProcess.RunAsync("--check", "--config", path);

        Assert.Equal(0, exitCode);
        Assert.Equal("Configuration is valid: 1 routes, 1 clusters, 2 destinations", stdout.Trim());
        Assert.Equal(string.Empty, stderr);
    }

    [Fact]
    public async Task Check_EnvironmentVariableAndFlagLast_SameAsArgument()
    {
        var path = Write("good.json", Configs.SingleCluster("RoundRobin", ("a", "http://127.0.0.1:1/", null)));

        var (exitCode, stdout, _) = await GatewayProcess.RunAsync(new Dictionary<string, string> { ["GATEWAY_CONFIG"] = path }, "--check");

        Assert.Equal(0, exitCode);
        Assert.Contains("1 routes, 1 clusters, 1 destinations", stdout);
    }

    [Fact]
    public async Task Check_InvalidConfig_ExitsOneListingEveryError()
    {
        var path = Write("bad.json", """
        {
          "ReverseProxy": {
            "Routes": {
              "r1": { "ClusterId": "missing", "Match": { "Path": "/{**all}" } },
              "r2": { "ClusterId": "web" }
            },
            "Clusters": {
              "web": {
                "LoadBalancingPolicy": "Nope",
                "Destinations": {
                  "a": { "Address": "http://127.0.0.1:1/", "Metadata": { "Weight": "-1" } },
                  "b": { "Address": "http://127.0.0.1:2/", "Metadata": { "Weight": "300" } }
                }
              }
            }
          }
        }
        """);

        var (exitCode, stdout, stderr) = await GatewayProcess.RunAsync("--config", path, "--check");

        Assert.Equal(1, exitCode);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains("5 errors", stderr);
        Assert.Contains("'Nope'", stderr);
        Assert.Contains("Cluster 'web', destination 'a': Weight '-1'", stderr);
        Assert.Contains("Cluster 'web', destination 'b': Weight '300'", stderr);
        Assert.Contains("Route 'r1' refers to cluster 'missing'", stderr);
        Assert.Contains("Route 'r2' requires Hosts or Path", stderr);
    }

    [Fact]
    public async Task Check_UnparsableTimeSpan_ErrorNamesTheKey()
    {
        var path = Write("bad-time.json", """
        { "ReverseProxy": { "Clusters": { "web": {
            "HealthCheck": { "Active": { "Enabled": true, "Interval": "5 seconds" } },
            "Destinations": { "a": { "Address": "http://127.0.0.1:1/" } } } } } }
        """);

        var (exitCode, _, stderr) = await GatewayProcess.RunAsync("--check", "--config", path);

        Assert.Equal(1, exitCode);
        Assert.Contains("ReverseProxy:Clusters:web:HealthCheck:Active:Interval", stderr);
    }

    [Fact]
    public async Task Start_MissingConfigFile_ExitsOneNamingTheFile()
    {
        var path = Path.Combine(_dir, "nowhere.json");

        var (exitCode, _, stderr) = await GatewayProcess.RunAsync("--config", path, "--urls", "http://127.0.0.1:0");

        Assert.Equal(1, exitCode);
        Assert.Contains(path, stderr);
        Assert.Contains("does not exist", stderr);
    }

    [Fact]
    public async Task Start_InvalidJson_ExitsOneNamingTheFileAndPosition()
    {
        var path = Write("broken.json", "{ \"ReverseProxy\": { ");

        var (exitCode, _, stderr) = await GatewayProcess.RunAsync("--config", path, "--urls", "http://127.0.0.1:0");

        Assert.Equal(1, exitCode);
        Assert.Contains(path, stderr);
        Assert.Contains("LineNumber", stderr);
    }

    [Fact]
    public async Task Start_InvalidConfig_ExitsOneWithoutServing()
    {
        var path = Write("bad.json", Configs.SingleCluster("Nope", ("a", "http://127.0.0.1:1/", null)));

        var (exitCode, _, stderr) = await GatewayProcess.RunAsync("--config", path, "--urls", "http://127.0.0.1:0");

        Assert.Equal(1, exitCode);
        Assert.Contains("'Nope'", stderr);
    }

    [Fact]
    public async Task Start_BadGatewaySetting_ExitsOneNamingTheSetting()
    {
        var path = Write("good.json", Configs.SingleCluster("RoundRobin", ("a", "http://127.0.0.1:1/", null)));

        var (exitCode, _, stderr) = await GatewayProcess.RunAsync(
            "--config", path, "--urls", "http://127.0.0.1:0", "--Gateway:ForwardedHeaders:TrustedProxies:0=not-an-ip");

        Assert.Equal(1, exitCode);
        Assert.Contains("'not-an-ip'", stderr);
    }

    [Fact]
    public async Task Check_NonBooleanHttpClientMeters_ExitsOneNamingTheSetting()
    {
        var path = Write("good.json", Configs.SingleCluster("RoundRobin", ("a", "http://127.0.0.1:1/", null)));

        var (exitCode, _, stderr) = await GatewayProcess.RunAsync("--check", "--config", path, "--Gateway:Metrics:HttpClientMeters=sometimes");

        Assert.Equal(1, exitCode);
        Assert.Contains("Gateway:Metrics:HttpClientMeters", stderr);
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
