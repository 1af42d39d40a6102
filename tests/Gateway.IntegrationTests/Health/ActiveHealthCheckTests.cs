using System.Diagnostics;
using System.Net;
using Gateway.Admin;
using Gateway.Configuration;
using Gateway.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using Yarp.ReverseProxy.Model;

namespace Gateway.IntegrationTests.Health;

/// <summary>The <c>RiseFall</c> policy against real backends, with a 500 ms interval (rise 2, fall 3, timeout 1 s).</summary>
public sealed class ActiveHealthCheckTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_interval = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(1);

    // Scheduling slack on a loaded two-core machine: the prober's timer, the poll, a probe's own duration.
    private static readonly TimeSpan s_margin = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task RiseFall_OneFailedProbe_DestinationStaysInService()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        using var gateway = new GatewayFactory(HealthConfigs.Cluster([a, b]));
        using var client = gateway.CreatePublicClient();
        var health = new HealthProbe(gateway);
        await HealthProbe.UntilAsync(() => health.LastCheck("a") is not null, "a first probe");

        var before = a.HealthChecks;
        a.NextHealthStatuses.Enqueue(503);
        await HealthProbe.UntilAsync(() => a.HealthChecks >= before + 4, "the failed probe and three good ones");

        Assert.Empty(health.Transitions("a"));
        Assert.True(health.LastCheck("a")!.Ok);
        Assert.Equal(["a", "b"], health.Available);
        var names = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            names.Add(await client.GetStringAsync("/"));
        }

        Assert.Equal(2, names.Count(n => n == "a"));
    }

    [Fact]
    public async Task RiseFall_FallFailedProbes_DownWithinIntervalTimesFallPlusTimeout_RiseGoodProbes_UpAgain()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        using var gateway = new GatewayFactory(HealthConfigs.Cluster([a, b], s_interval, timeout: s_timeout));
        using var client = gateway.CreatePublicClient();
        var health = new HealthProbe(gateway);
        await HealthProbe.UntilAsync(() => health.LastCheck("a") is not null, "a first probe");

        a.HealthStatus = 503;
        var detection = await health.UntilTransitionAsync("a", "DOWN");

        output.WriteLine($"DOWN detected {detection.TotalMilliseconds:0} ms after /health started answering 503 (interval 500 ms, fall 3)");
        Assert.True(detection <= (s_interval * 3) + s_timeout + s_margin, $"detection took {detection.TotalMilliseconds:0} ms");
        Assert.Equal("status 503", health.Transitions("a")[0].Reason);
        Assert.Equal(["b"], health.Available);
        a.ResetCount();
        for (var i = 0; i < 6; i++)
        {
            Assert.Equal("b", await client.GetStringAsync("/"));
        }

        Assert.Equal(0, a.Requests);

        a.HealthStatus = 200;
        var recovery = await health.UntilTransitionAsync("a", "UP");

        output.WriteLine($"UP detected {recovery.TotalMilliseconds:0} ms after /health answered 200 again (interval 500 ms, rise 2)");
        Assert.True(recovery <= (s_interval * 2) + s_timeout + s_margin, $"recovery took {recovery.TotalMilliseconds:0} ms");
        Assert.Equal(["a", "b"], health.Available);
        var names = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            names.Add(await client.GetStringAsync("/"));
        }

        Assert.Contains("a", names);
    }

    [Fact]
    public async Task RiseFall_BackendStoppedThenRestarted_DownAsConnectionRefusedThenUp()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        using var gateway = new GatewayFactory(HealthConfigs.Cluster([a, b], s_interval, timeout: s_timeout));
        using var client = gateway.CreatePublicClient();
        var health = new HealthProbe(gateway);
        await HealthProbe.UntilAsync(() => health.LastCheck("a") is not null, "a first probe");

        await a.StopAsync();
        var detection = await health.UntilTransitionAsync("a", "DOWN");
        output.WriteLine($"stopped backend DOWN after {detection.TotalMilliseconds:0} ms");

        Assert.Equal("connection refused", health.Transitions("a")[0].Reason);
        var lastCheck = health.LastCheck("a")!;
        Assert.Equal((false, (int?)null, "connection refused"), (lastCheck.Ok, lastCheck.Status, lastCheck.Error));
        Assert.Equal("b", await client.GetStringAsync("/"));
        Assert.Equal("b", await client.GetStringAsync("/"));

        await a.RestartAsync();
        var recovery = await health.UntilTransitionAsync("a", "UP");
        output.WriteLine($"restarted backend UP after {recovery.TotalMilliseconds:0} ms");

        Assert.Equal(["a", "b"], health.Available);
        Assert.True(health.LastCheck("a")!.DurationMs > 0);
    }

    [Fact]
    public async Task RiseFall_HealthEndpointSlowerThanTimeout_DownWithTimeoutReason()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        var slow = false;
        a.Handler = async context =>
        {
            if (context.Request.Path == "/ready" && Volatile.Read(ref slow))
            {
                await Task.Delay(TimeSpan.FromSeconds(3), context.RequestAborted);
            }

            await context.Response.WriteAsync("a");
        };
        b.Handler = context => context.Response.WriteAsync("b");
        var config = HealthConfigs.Cluster([a, b], s_interval, path: "/ready", timeout: TimeSpan.FromMilliseconds(300),
            metadata: new() { ["RiseFall.Fall"] = "1" });
        using var gateway = new GatewayFactory(config);
        using var client = gateway.CreatePublicClient();
        var health = new HealthProbe(gateway);
        await HealthProbe.UntilAsync(() => health.LastCheck("a") is not null, "a first probe");

        Volatile.Write(ref slow, true);
        await health.UntilTransitionAsync("a", "DOWN");

        Assert.Equal("timeout after 300 ms", health.Transitions("a")[0].Reason);
        Assert.InRange(health.LastCheck("a")!.DurationMs, 250, 3_000);
    }

    [Fact]
    public async Task RiseFall_ExpectedStatusList_OtherStatusFails()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        a.HealthStatus = 204;
        var config = HealthConfigs.Cluster([a, b], s_interval, metadata: new() { ["RiseFall.ExpectedStatus"] = "200", ["RiseFall.Fall"] = "2" });
        using var gateway = new GatewayFactory(config);
        using var client = gateway.CreatePublicClient();
        var health = new HealthProbe(gateway);

        await health.UntilTransitionAsync("a", "DOWN");

        Assert.Equal("status 204", health.Transitions("a")[0].Reason);
        Assert.Empty(health.Transitions("b"));
    }

    [Fact]
    public async Task AllDestinationsDown_Answers503AtOnceNamingTheCluster()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        a.HealthStatus = 503;
        b.HealthStatus = 503;
        using var gateway = new GatewayFactory(HealthConfigs.Cluster([a, b], s_interval, metadata: new() { ["RiseFall.Fall"] = "1" }));
        using var client = gateway.CreatePublicClient();
        var health = new HealthProbe(gateway);
        await HealthProbe.UntilAsync(() => health.Available.Count == 0, "both destinations down");
        await client.GetAsync("/warm-up");

        var stopwatch = Stopwatch.StartNew();
        using var response = await client.GetAsync("/anything");
        var elapsed = stopwatch.Elapsed;
        var body = await response.Content.ReadAsStringAsync();
        output.WriteLine($"503 answered in {elapsed.TotalMilliseconds:0.0} ms: {body.TrimEnd()}");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("cluster 'web'", body);
        Assert.True(elapsed < TimeSpan.FromMilliseconds(500), $"the 503 took {elapsed.TotalMilliseconds:0} ms");
        Assert.Equal(0, a.Requests + b.Requests);
    }

    [Fact]
    public async Task AllDestinationsDown_HealthyOrPanicOptIn_TrafficStillSent()
    {
        await using var a = await TestBackend.StartAsync("a");
        a.HealthStatus = 503;
        var config = HealthConfigs.Cluster([a], s_interval, metadata: new() { ["RiseFall.Fall"] = "1" })
            .Replace("\"HealthCheck\":{", "\"HealthCheck\":{\"AvailableDestinationsPolicy\":\"HealthyOrPanic\",", StringComparison.Ordinal);
        using var gateway = new GatewayFactory(config);
        using var client = gateway.CreatePublicClient();
        var health = new HealthProbe(gateway);
        await health.UntilTransitionAsync("a", "DOWN");

        Assert.Equal("a", await client.GetStringAsync("/"));
    }

    [Fact]
    public async Task NoHealthChecks_AllWeightZero_Answers503NamingTheCluster()
    {
        // Two destinations: with a single one YARP skips the balancing policy and forwards to it whatever its weight.
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        using var gateway = new GatewayFactory(HealthConfigs.Cluster([a, b], active: false, policy: "WeightedRoundRobin", weight: 0));
        using var client = gateway.CreatePublicClient();

        using var response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("cluster 'web'", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, a.Requests + b.Requests);
    }

    [Fact]
    public async Task RiseFall_DestinationInMaintenance_FailingProbesChangeNothing()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        using var gateway = new GatewayFactory(HealthConfigs.Cluster([a, b], s_interval, metadata: new() { ["RiseFall.Fall"] = "1" }));
        using var client = gateway.CreatePublicClient();
        var health = new HealthProbe(gateway);
        await HealthProbe.UntilAsync(() => health.LastCheck("a") is not null, "a first probe");
        gateway.Services.GetRequiredService<DestinationAdminStates>().Set("web", "a", AdminState.Maint);

        var before = a.HealthChecks;
        a.HealthStatus = 503;
        await HealthProbe.UntilAsync(() => a.HealthChecks >= before + 4, "four probes in maintenance");

        Assert.Empty(health.Transitions("a"));
        Assert.NotEqual(DestinationHealth.Unhealthy, health.Cluster.Destinations["a"].Health.Active);
        Assert.True(health.LastCheck("a")!.Ok);

        gateway.Services.GetRequiredService<DestinationAdminStates>().Set("web", "a", AdminState.Ready);
        await health.UntilTransitionAsync("a", "DOWN");
    }

    [Fact]
    public async Task RiseFall_ConfigurationReloaded_DownStateAndHistoryKept()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        a.HealthStatus = 503;
        using var gateway = new GatewayFactory(HealthConfigs.Cluster([a, b], s_interval, metadata: new() { ["RiseFall.Fall"] = "1", ["RiseFall.Rise"] = "5" }));
        using var client = gateway.CreatePublicClient();
        var health = new HealthProbe(gateway);
        await health.UntilTransitionAsync("a", "DOWN");
        var tracker = gateway.Services.GetRequiredService<ConfigurationTracker>();
        var revision = tracker.Current!.Id;
        a.HealthStatus = 200;

        gateway.WriteConfig(HealthConfigs.Cluster([a, b], s_interval, policy: "PowerOfTwoChoices", metadata: new() { ["RiseFall.Fall"] = "1", ["RiseFall.Rise"] = "5" }));
        await HealthProbe.UntilAsync(() => tracker.Current!.Id != revision, "the reload to apply");

        Assert.Equal(["b"], health.Available);
        Assert.Equal(["DOWN"], health.Transitions("a").Select(t => t.Direction));
        Assert.NotNull(health.LastCheck("a"));
        Assert.Equal("b", await client.GetStringAsync("/"));
    }

    [Fact]
    public async Task HealthMetadata_InvalidOnReload_RejectedNamingClusterAndOldConfigKeepsServing()
    {
        await using var a = await TestBackend.StartAsync("a");
        using var gateway = new GatewayFactory(HealthConfigs.Cluster([a], s_interval));
        using var client = gateway.CreatePublicClient();
        Assert.Equal("a", await client.GetStringAsync("/"));
        var tracker = gateway.Services.GetRequiredService<ConfigurationTracker>();

        gateway.WriteConfig(HealthConfigs.Cluster([a], s_interval, metadata: new() { ["RiseFall.Fall"] = "0", ["OutlierDetection.MaxEjectionPercent"] = "150" }));
        await HealthProbe.UntilAsync(() => tracker.LastError is not null, "the reload to be rejected");

        Assert.Contains("Cluster 'web': RiseFall.Fall '0' is invalid", tracker.LastError);
        Assert.Contains("Cluster 'web': OutlierDetection.MaxEjectionPercent '150' is invalid", tracker.LastError);
        Assert.Equal("a", await client.GetStringAsync("/"));

        var check = await gateway.Services.GetRequiredService<ConfigurationChecker>().CheckAsync();
        Assert.Contains(check.Errors, e => e.Contains("RiseFall.Fall", StringComparison.Ordinal));
    }
}
