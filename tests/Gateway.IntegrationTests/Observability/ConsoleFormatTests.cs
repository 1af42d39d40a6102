using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Observability;

/// <summary>The shipped Serilog configuration, read from the real process's standard output.</summary>
public sealed partial class ConsoleFormatTests
{
    [Fact]
    public async Task Console_Production_WritesCompactJsonWithTheAccessLogProperties()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var gateway = await GatewayProcess.StartAsync("Production", Configs.SingleCluster("RoundRobin", a));
        using var client = new HttpClient { BaseAddress = gateway.PublicAddress, Timeout = TimeSpan.FromSeconds(30) };

        Assert.Equal("a", await client.GetStringAsync("/json?q=1"));

        var line = await gateway.WaitForLineAsync(l => l.Contains("\"Gateway.AccessLog\"", StringComparison.Ordinal));
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
        await using var gateway = await GatewayProcess.StartAsync("Development", Configs.SingleCluster("RoundRobin", a));
        using var client = new HttpClient { BaseAddress = gateway.PublicAddress, Timeout = TimeSpan.FromSeconds(30) };

        Assert.Equal("a", await client.GetStringAsync("/text"));

        var line = await gateway.WaitForLineAsync(l => l.Contains(" GET /text ", StringComparison.Ordinal));
        Assert.Matches(ReadableAccessLine(), line);
        Assert.Contains(gateway.Lines, l => Regex.IsMatch(l, @"^\[\d\d:\d\d:\d\d INF\] Configuration applied: revision [0-9a-f]{16} \(1 routes, 1 clusters, 1 destinations\)$"));
    }

    [GeneratedRegex(@"^\[\d\d:\d\d:\d\d INF\] 127\.0\.0\.1 GET /text 200 Ok all/web/a in [\d.]+ ms \(upstream [\d.]+ ms\)$")]
    private static partial Regex ReadableAccessLine();

    /// <summary>The gateway as its own process (<c>dotnet Gateway.dll</c>), its standard output kept line by line.</summary>
    private sealed partial class GatewayProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly string _configPath;
        private readonly ConcurrentQueue<string> _lines = new();

        private GatewayProcess(Process process, string configPath)
        {
            _process = process;
            _configPath = configPath;
        }

        public Uri PublicAddress { get; private set; } = null!;

        public IReadOnlyCollection<string> Lines => _lines;

        public static async Task<GatewayProcess> StartAsync(string environment, string configJson)
        {
            var configPath = Path.Combine(Path.GetTempPath(), $"gateway-console-{Guid.NewGuid():N}.json");
            await File.WriteAllTextAsync(configPath, configJson);
            var start = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = AppContext.BaseDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in new[]
            {
                Path.Combine(AppContext.BaseDirectory, "Gateway.dll"), "--config", configPath, "--urls", "http://127.0.0.1:0",
                "--Gateway:Admin:Urls=http://127.0.0.1:0", "--Gateway:Demo:Enabled=false",
            })
            {
                start.ArgumentList.Add(arg);
            }

            start.Environment["ASPNETCORE_ENVIRONMENT"] = environment;
            start.Environment["DOTNET_ENVIRONMENT"] = environment;
            var gateway = new GatewayProcess(Process.Start(start)!, configPath);
            gateway._process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is { } line)
                {
                    gateway._lines.Enqueue(line);
                }
            };
            gateway._process.ErrorDataReceived += (_, _) => { };
            gateway._process.BeginOutputReadLine();
            gateway._process.BeginErrorReadLine();

            var listening = await gateway.WaitForLineAsync(l => l.Contains("Now listening on", StringComparison.Ordinal));
            gateway.PublicAddress = new Uri(ListeningAddress().Match(listening).Value);
            return gateway;
        }

        public async Task<string> WaitForLineAsync(Func<string, bool> match)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (true)
            {
                if (_lines.FirstOrDefault(match) is { } line)
                {
                    return line;
                }

                Assert.False(_process.HasExited, "The gateway exited. Output:\n" + string.Join("\n", _lines));
                Assert.True(DateTime.UtcNow < deadline, "No such line. Output:\n" + string.Join("\n", _lines));
                await Task.Delay(50);
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
            File.Delete(_configPath);
        }

        [GeneratedRegex(@"http://127\.0\.0\.1:\d+")]
        private static partial Regex ListeningAddress();
    }
}
