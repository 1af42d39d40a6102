using Gateway.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;

namespace Gateway.IntegrationTests.Health;

/// <summary>The <c>OutlierDetection</c> policy against real backends.</summary>
public sealed class PassiveHealthCheckTests(ITestOutputHelper output)
{
    [Fact]
    public async Task OutlierDetection_BackendAnswering500ButHealthy_EjectedWhileProbesPass()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        a.Handler = context =>
        {
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            return context.Response.WriteAsync("a");
        };
        var config = HealthConfigs.Cluster([a, b], passive: true, metadata: new() { ["OutlierDetection.ConsecutiveFailures"] = "3" });
        using var gateway = new GatewayFactory(config);
        using var client = gateway.CreatePublicClient();
        var health = new HealthProbe(gateway);

        var statuses = new List<int>();
        for (var i = 0; i < 6; i++)
        {
            using var response = await client.GetAsync("/");
            statuses.Add((int)response.StatusCode);
        }

        await health.UntilTransitionAsync("a", "DOWN");
        Assert.Equal(3, statuses.Count(s => s == 500));
        Assert.Equal("ejected for 30 s after 3 consecutive failures (status 500)", health.Transitions("a")[0].Reason);
        output.WriteLine(health.Transitions("a")[0].Reason);

        var probesBefore = a.HealthChecks;
        a.ResetCount();
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal("b", await client.GetStringAsync("/"));
        }

        await HealthProbe.UntilAsync(() => a.HealthChecks >= probesBefore + 3, "three more good probes");
        Assert.Equal(0, a.Requests);
        Assert.Equal(["b"], health.Available);
        Assert.True(health.LastCheck("a")!.Ok);
    }

    [Fact]
    public async Task OutlierDetection_EjectionPeriodOver_BackInRotation()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        var failing = true;
        a.Handler = context =>
        {
            context.Response.StatusCode = Volatile.Read(ref failing) ? 503 : 200;
            return context.Response.WriteAsync("a");
        };
        var config = HealthConfigs.Cluster([a, b], passive: true, active: false, reactivationPeriod: TimeSpan.FromSeconds(1),
            metadata: new() { ["OutlierDetection.ConsecutiveFailures"] = "2" });
        using var gateway = new GatewayFactory(config);
        using var client = gateway.CreatePublicClient();
        var health = new HealthProbe(gateway);

        for (var i = 0; i < 4; i++)
        {
            using var _ = await client.GetAsync("/");
        }

        await health.UntilTransitionAsync("a", "DOWN");
        Volatile.Write(ref failing, false);
        var back = await health.UntilTransitionAsync("a", "UP");
        output.WriteLine($"back {back.TotalMilliseconds:0} ms after the ejection was seen (base ejection 1 s)");

        Assert.Equal(["a", "b"], health.Available);
        var names = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            names.Add(await client.GetStringAsync("/"));
        }

        Assert.Equal(2, names.Count(n => n == "a"));
    }
}
