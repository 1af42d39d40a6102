using System.Runtime.InteropServices;
using System.Text.Json;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Lifecycle;

/// <summary>The built gateway as a real process: what a container runtime or Kubernetes does to it.</summary>
public sealed class ProcessShutdownTests
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Sigterm_SlowRequestInFlight_RequestCompletesAndExitCodeIsZero()
    {
        var slow = new GracefulShutdownTests.SlowHandler(TimeSpan.FromSeconds(3));
        await using var backend = await TestBackend.StartAsync("slow");
        backend.Handler = slow.HandleAsync;
        var config = Path.Combine(Path.GetTempPath(), $"gateway-process-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(config, Configs.SingleCluster("RoundRobin", backend));
        try
        {
            using var gateway = await GatewayProcess.StartAsync(
                ["--config", config, "--Gateway:ShutdownDelay=00:00:01", "--Gateway:ShutdownTimeout=00:00:30"],
                new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production" });
            using var client = new HttpClient { BaseAddress = gateway.PublicAddress, Timeout = s_deadline };

            var request = client.GetAsync("/slow");
            await slow.Started.WaitAsync(s_deadline);
            gateway.SendSigterm();

            using var response = await request.WaitAsync(s_deadline);
            Assert.Equal("slow done", await response.Content.ReadAsStringAsync());
            Assert.True(0 == await gateway.WaitForExitAsync(s_deadline), gateway.Output);
        }
        finally
        {
            File.Delete(config);
        }
    }

    /// <summary>
    /// A Kubernetes ConfigMap volume publishes a new version by re-pointing the <c>..data</c> symlink, which
    /// raises no file event for <c>gateway.json</c> itself; the container sets DOTNET_USE_POLLING_FILE_WATCHER
    /// so the change is still seen.
    /// </summary>
    [Fact]
    public async Task ConfigMapStyleSymlinkSwap_PollingFileWatcher_RoutesReloaded()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        var volume = Directory.CreateTempSubdirectory("gateway-configmap-").FullName;
        try
        {
            WriteVersion(volume, "..2026_01_01_00_00_00.1", Configs.SingleCluster("RoundRobin", a));
            File.CreateSymbolicLink(Path.Combine(volume, "..data"), "..2026_01_01_00_00_00.1");
            File.CreateSymbolicLink(Path.Combine(volume, "gateway.json"), Path.Combine("..data", "gateway.json"));

            using var gateway = await GatewayProcess.StartAsync([], new Dictionary<string, string>
            {
                ["GATEWAY_CONFIG"] = Path.Combine(volume, "gateway.json"),
                ["DOTNET_USE_POLLING_FILE_WATCHER"] = "1",
            });
            using var client = new HttpClient { BaseAddress = gateway.PublicAddress, Timeout = s_deadline };
            Assert.Equal("a", await client.GetStringAsync("/"));

            // What the kubelet does: write the new version beside the old one, then swap the link in one rename.
            WriteVersion(volume, "..2026_01_01_00_01_00.2", Configs.SingleCluster("RoundRobin", b));
            File.CreateSymbolicLink(Path.Combine(volume, "..data_tmp"), "..2026_01_01_00_01_00.2");
            Assert.Equal(0, Rename(Path.Combine(volume, "..data_tmp"), Path.Combine(volume, "..data")));

            var deadline = DateTime.UtcNow + s_deadline;
            string answer;
            while ((answer = await client.GetStringAsync("/")) != "b")
            {
                Assert.True(DateTime.UtcNow < deadline, $"Still routed to '{answer}' after the swap. Output:\n{gateway.Output}");
                await Task.Delay(250);
            }
        }
        finally
        {
            Directory.Delete(volume, recursive: true);
        }
    }

    [DllImport("libc", EntryPoint = "rename", SetLastError = true)]
    private static extern int Rename(string oldPath, string newPath);

    private static void WriteVersion(string volume, string version, string json)
    {
        var directory = Directory.CreateDirectory(Path.Combine(volume, version));
        File.WriteAllText(Path.Combine(directory.FullName, "gateway.json"), json);
        _ = JsonDocument.Parse(json);
    }
}
