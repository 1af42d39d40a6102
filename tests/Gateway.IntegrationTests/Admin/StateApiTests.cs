using System.Net;
using System.Text.Json;
using Gateway.Health;
using Gateway.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.IntegrationTests.Admin;

public sealed class StateApiTests
{
    [Fact]
    public async Task ApiState_AfterTraffic_ReportsContractFieldsPerDestination()
    {
        await using var ok = await TestBackend.StartAsync("ok");
        await using var failing = await TestBackend.StartAsync("failing");
        failing.Handler = context =>
        {
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            return Task.CompletedTask;
        };
        using var gateway = new GatewayFactory(AdminConfigs.Cluster([ok, failing], weights: new Dictionary<string, int> { ["ok"] = 3 }));
        using var client = gateway.CreatePublicClient();
        using var admin = gateway.CreateAdminClient();

        await Poll.UntilAsync(async () => (await admin.GetDestinationAsync("web", "ok")).GetProperty("requestRate").ValueKind == JsonValueKind.Number, "the counters are sampled");
        for (var i = 0; i < 10; i++)
        {
            using var _ = await client.GetAsync("/work");
        }

        var state = await admin.GetStateAsync();

        var config = state.GetProperty("config");
        Assert.Matches("^[0-9a-f]{16}$", config.GetProperty("revision").GetString());
        Assert.EndsWith("Z", config.GetProperty("appliedAt").GetString());
        Assert.Equal(JsonValueKind.Null, config.GetProperty("lastError").ValueKind);

        var cluster = Assert.Single(state.GetProperty("clusters").EnumerateArray());
        Assert.Equal("web", cluster.GetProperty("id").GetString());
        Assert.Equal("RoundRobin", cluster.GetProperty("loadBalancingPolicy").GetString());
        var destinations = cluster.GetProperty("destinations").EnumerateArray().ToDictionary(d => d.GetProperty("id").GetString()!);
        Assert.Equal(["failing", "ok"], destinations.Keys.Order());

        var okState = destinations["ok"];
        Assert.Equal(ok.Address, okState.GetProperty("address").GetString());
        Assert.Equal(3, okState.GetProperty("weight").GetInt32());
        Assert.Equal("unknown", okState.GetProperty("health").GetString());
        Assert.Equal("ready", okState.GetProperty("adminState").GetString());
        Assert.Equal(0, okState.GetProperty("activeRequests").GetInt32());
        Assert.Equal(5, okState.GetProperty("totalRequests").GetInt64());
        Assert.Equal(0, okState.GetProperty("failedRequests").GetInt64());
        Assert.True(okState.GetProperty("requestRate").GetDouble() > 0);
        Assert.True(okState.GetProperty("latencyMs").GetDouble() > 0);
        Assert.Equal(JsonValueKind.Null, okState.GetProperty("lastCheck").ValueKind);
        Assert.Empty(okState.GetProperty("history").EnumerateArray());

        var failingState = destinations["failing"];
        Assert.Equal(1, failingState.GetProperty("weight").GetInt32());
        Assert.Equal(5, failingState.GetProperty("totalRequests").GetInt64());
        Assert.Equal(5, failingState.GetProperty("failedRequests").GetInt64());
    }

    [Fact]
    public async Task ApiState_TransportError_CountsAsFailed()
    {
        await using var backend = await TestBackend.StartAsync("gone");
        using var gateway = new GatewayFactory(AdminConfigs.Cluster([backend]));
        using var client = gateway.CreatePublicClient();
        using var admin = gateway.CreateAdminClient();
        await backend.StopAsync();

        using var response = await client.GetAsync("/");

        // The connection is refused, so the request is retried (Retry.Count, default 2) on the only
        // destination there is: three attempts, each counted and each failed.
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var destination = await admin.GetDestinationAsync("web", "gone");
        Assert.Equal(3, destination.GetProperty("totalRequests").GetInt64());
        Assert.Equal(3, destination.GetProperty("failedRequests").GetInt64());
    }

    [Fact]
    public async Task ApiState_RequestInFlight_CountsActiveRequest()
    {
        await using var backend = await TestBackend.StartAsync("slow");
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        backend.Handler = async context =>
        {
            await release.Task;
            await context.Response.WriteAsync("done");
        };
        using var gateway = new GatewayFactory(AdminConfigs.Cluster([backend]));
        using var client = gateway.CreatePublicClient();
        using var admin = gateway.CreateAdminClient();

        var pending = client.GetStringAsync("/");
        try
        {
            await Poll.UntilAsync(async () => (await admin.GetDestinationAsync("web", "slow")).GetProperty("activeRequests").GetInt32() == 1, "the request is in flight");
        }
        finally
        {
            release.TrySetResult();
        }

        Assert.Equal("done", await pending);
        var destination = await admin.GetDestinationAsync("web", "slow");
        Assert.Equal(0, destination.GetProperty("activeRequests").GetInt32());
        Assert.Equal(1, destination.GetProperty("totalRequests").GetInt64());
    }

    [Fact]
    public async Task ApiState_RejectedReload_ShowsLastErrorAndKeepsRevision()
    {
        await using var backend = await TestBackend.StartAsync("a");
        using var gateway = new GatewayFactory(AdminConfigs.Cluster([backend]));
        using var admin = gateway.CreateAdminClient();
        var revision = (await admin.GetStateAsync()).GetProperty("config").GetProperty("revision").GetString();

        gateway.WriteConfig(AdminConfigs.Cluster([backend], weights: new Dictionary<string, int> { ["a"] = 999 }));

        await Poll.UntilAsync(async () => (await admin.GetStateAsync()).GetProperty("config").GetProperty("lastError").ValueKind == JsonValueKind.String, "the rejected reload shows");
        var config = (await admin.GetStateAsync()).GetProperty("config");
        Assert.Contains("Weight", config.GetProperty("lastError").GetString());
        Assert.Equal(revision, config.GetProperty("revision").GetString());
    }

    [Fact]
    public async Task ApiState_HealthLogEntries_ShowLastCheckAndHistory()
    {
        await using var backend = await TestBackend.StartAsync("a");
        using var gateway = new GatewayFactory(AdminConfigs.Cluster([backend]));
        using var admin = gateway.CreateAdminClient();
        var log = gateway.Services.GetRequiredService<DestinationHealthLog>();
        var at = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.FromHours(2));

        log.RecordTransition("web", "a", new HealthTransition(at, "DOWN", "status 503"));
        log.RecordTransition("web", "a", new HealthTransition(at.AddSeconds(6), "UP", "2 good probes"));
        log.RecordCheck("web", "a", new HealthCheckResult(at.AddSeconds(8), false, null, 1000.25, "timeout"));

        var destination = await admin.GetDestinationAsync("web", "a");
        var lastCheck = destination.GetProperty("lastCheck");
        Assert.Equal("2026-03-01T10:00:08Z", lastCheck.GetProperty("at").GetString());
        Assert.False(lastCheck.GetProperty("ok").GetBoolean());
        Assert.Equal(JsonValueKind.Null, lastCheck.GetProperty("status").ValueKind);
        Assert.Equal(1000.25, lastCheck.GetProperty("durationMs").GetDouble());
        Assert.Equal("timeout", lastCheck.GetProperty("error").GetString());
        var history = destination.GetProperty("history").EnumerateArray().ToArray();
        Assert.Equal(["DOWN", "UP"], history.Select(h => h.GetProperty("direction").GetString()));
        Assert.Equal("status 503", history[0].GetProperty("reason").GetString());
        Assert.Equal("2026-03-01T10:00:00Z", history[0].GetProperty("at").GetString());
    }

    [Fact]
    public async Task ApiState_ActiveHealthCheckFails_HealthTurnsDownThenUp()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        using var gateway = new GatewayFactory(AdminConfigs.Cluster([a, b], activeHealthCheck: true));
        using var admin = gateway.CreateAdminClient();
        await Poll.UntilAsync(async () => (await admin.GetDestinationAsync("web", "b")).GetProperty("health").GetString() == "up", "b is probed up");

        b.HealthStatus = StatusCodes.Status503ServiceUnavailable;
        await Poll.UntilAsync(async () => (await admin.GetDestinationAsync("web", "b")).GetProperty("health").GetString() == "down", "b turns down");
        Assert.Equal("up", (await admin.GetDestinationAsync("web", "a")).GetProperty("health").GetString());

        b.HealthStatus = StatusCodes.Status200OK;
        await Poll.UntilAsync(async () => (await admin.GetDestinationAsync("web", "b")).GetProperty("health").GetString() == "up", "b comes back up");
    }
}
