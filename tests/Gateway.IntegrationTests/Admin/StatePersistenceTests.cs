using System.Text.Json;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Admin;

public sealed class StatePersistenceTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"gateway-state-{Guid.NewGuid():N}");

    private string StateFile => Path.Combine(_directory, "state.json");

    private Dictionary<string, string?> Settings => new()
    {
        ["Gateway:Admin:Token"] = AdminClient.Token,
        ["Gateway:StateFile"] = StateFile,
    };

    [Fact]
    public async Task AdminStates_Restart_LoadedFromStateFileAndApplied()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        var config = AdminConfigs.Cluster([a, b]);
        using (var first = new GatewayFactory(config, Settings))
        {
            using var admin = first.CreateAdminClient();
            await admin.SetStateAsync("web", "a", "drain");
            await admin.SetStateAsync("web", "b", "maint");
            await admin.SetStateAsync("web", "b", "ready");
        }

        using var document = JsonDocument.Parse(File.ReadAllText(StateFile));
        Assert.Equal("drain", document.RootElement.GetProperty("clusters").GetProperty("web").GetProperty("a").GetString());
        Assert.Equal(["state.json"], Directory.GetFiles(_directory).Select(Path.GetFileName));

        using var second = new GatewayFactory(config, Settings);
        using var restartedAdmin = second.CreateAdminClient();
        using var client = second.CreatePublicClient();
        Assert.Equal("drain", (await restartedAdmin.GetDestinationAsync("web", "a")).GetProperty("adminState").GetString());
        Assert.Equal("ready", (await restartedAdmin.GetDestinationAsync("web", "b")).GetProperty("adminState").GetString());
        a.ResetCount();
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal("b", await client.GetStringAsync("/"));
        }

        Assert.Equal(0, a.Requests);
    }

    [Fact]
    public async Task AdminStates_Reload_KeptForDestinationsThatStay()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        await using var c = await TestBackend.StartAsync("c");
        using var gateway = new GatewayFactory(AdminConfigs.Cluster([a, b]), Settings);
        using var admin = gateway.CreateAdminClient();
        using var client = gateway.CreatePublicClient();
        await admin.SetStateAsync("web", "a", "maint");
        var revision = (await admin.GetStateAsync()).GetProperty("config").GetProperty("revision").GetString();

        gateway.WriteConfig(AdminConfigs.Cluster([a, b, c], policy: "WeightedRoundRobin"));
        await Poll.UntilAsync(async () => (await admin.GetStateAsync()).GetProperty("config").GetProperty("revision").GetString() != revision, "the new configuration is applied");

        Assert.Equal("maint", (await admin.GetDestinationAsync("web", "a")).GetProperty("adminState").GetString());
        Assert.Equal("ready", (await admin.GetDestinationAsync("web", "c")).GetProperty("adminState").GetString());
        a.ResetCount();
        var seen = new HashSet<string>();
        for (var i = 0; i < 12; i++)
        {
            seen.Add(await client.GetStringAsync("/"));
        }

        Assert.Equal(["b", "c"], seen.Order());
        Assert.Equal(0, a.Requests);
    }

    [Fact]
    public async Task AdminStates_UnreadableStateFile_StartAllReady()
    {
        await using var a = await TestBackend.StartAsync("a");
        Directory.CreateDirectory(_directory);
        File.WriteAllText(StateFile, "{ not json");
        using var gateway = new GatewayFactory(AdminConfigs.Cluster([a]), Settings);
        using var admin = gateway.CreateAdminClient();
        using var client = gateway.CreatePublicClient();

        Assert.Equal("ready", (await admin.GetDestinationAsync("web", "a")).GetProperty("adminState").GetString());
        Assert.Equal("a", await client.GetStringAsync("/"));
        await admin.SetStateAsync("web", "a", "drain");
        using var document = JsonDocument.Parse(File.ReadAllText(StateFile));
        Assert.Equal("drain", document.RootElement.GetProperty("clusters").GetProperty("web").GetProperty("a").GetString());
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
