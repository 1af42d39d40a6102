using System.Text.Json;
using System.Text.RegularExpressions;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Observability;

/// <summary>The shipped Serilog configuration, read from the real process's standard output.</summary>
public sealed partial class ConsoleFormatTests : IDisposable
{
    private readonly string _configPath = Path.Combine(Path.GetTempPath(), $"gateway-console-{Guid.NewGuid():N}.json");

    public void Dispose() => File.Delete(_configPath);

    [Fact]
    public async Task Console_Production_WritesCompactJsonWithTheAccessLogProperties()
    {
        await using var a = await TestBackend.StartAsync("a");
        using var gateway = await StartAsync("Production", Configs.SingleCluster("RoundRobin", a), _configPath);
        using var client = new HttpClient { BaseAddress = gateway.PublicAddress, Timeout = TimeSpan.FromSeconds(30) };

        Assert.Equal("a", await client.GetStringAsync("/json?q=1"));

        var line = await gateway.WaitForLineAsync(l => l.Contains("\"Gateway.AccessLog\"", StringComparison.Ordinal) && l.Contains("\"/json\"", StringComparison.Ordinal));
        Assert.All(gateway.Lines, l => JsonDocument.Parse(l).Dispose());
        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        Assert.True(root.TryGetProperty("@t", out _));
        Assert.Equal("127.0.0.1", root.GetProperty("ClientIp").GetString());
        Assert.Equal("GET", root.GetProperty("Method").GetString());
        Assert.Equal("/json", root.GetProperty("Path").GetString());
        Assert.Equal(200, root.GetProperty("StatusCode").GetInt32());
        Assert.Equal("all", root.GetProperty("RouteId").GetString());
        Assert.Equal("web", root.GetProperty("ClusterId").GetString());
        Assert.Equal("a", root.GetProperty("DestinationId").GetString());
        Assert.True(root.GetProperty("ElapsedMs").GetDouble() >= root.GetProperty("UpstreamMs").GetDouble());
        Assert.Equal("Ok", root.GetProperty("Outcome").GetString());
        Assert.Contains(gateway.Lines, l => l.Contains("\"Configuration applied: revision {Revision}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Console_Development_WritesReadableLines()
    {
        await using var a = await TestBackend.StartAsync("a");
        using var gateway = await StartAsync("Development", Configs.SingleCluster("RoundRobin", a), _configPath);
        using var client = new HttpClient { BaseAddress = gateway.PublicAddress, Timeout = TimeSpan.FromSeconds(30) };

        Assert.Equal("a", await client.GetStringAsync("/text"));

        var line = await gateway.WaitForLineAsync(l => l.Contains(" GET /text ", StringComparison.Ordinal));
        Assert.Matches(ReadableAccessLine(), line);
        Assert.Contains(gateway.Lines, l => Regex.IsMatch(l, @"^\[\d\d:\d\d:\d\d INF\] Configuration applied: revision [0-9a-f]{16} \(1 routes, 1 clusters, 1 destinations\)$"));
    }

    [GeneratedRegex(@"^\[\d\d:\d\d:\d\d INF\] 127\.0\.0\.1 GET /text 200 Ok all/web/a in [\d.]+ ms \(upstream [\d.]+ ms\)$")]
    private static partial Regex ReadableAccessLine();

    private static async Task<GatewayProcess> StartAsync(string environment, string configJson, string configPath)
    {
        await File.WriteAllTextAsync(configPath, configJson);
        return await GatewayProcess.StartAsync(
            ["--config", configPath, "--Gateway:Demo:Enabled=false"],
            new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = environment, ["DOTNET_ENVIRONMENT"] = environment });
    }
}
