using System.Net;
using Gateway.IntegrationTests.Infrastructure;
using Gateway.Reliability;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.IntegrationTests.Reliability;

/// <summary>Per-destination MaxConnections with a FIFO queue, MaxQueue and QueueTimeout, against a slow backend.</summary>
public sealed class QueueTests
{
    [Fact]
    public async Task Requests_BeyondMaxConnections_WaitAndBackendNeverSeesMore()
    {
        var inFlight = 0;
        var maxInFlight = 0;
        await using var slow = await TestBackend.StartAsync("slow");
        slow.Handler = async context =>
        {
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref maxInFlight, now);
            await Task.Delay(200);
            Interlocked.Decrement(ref inFlight);
            await context.Response.WriteAsync("ok");
        };
        using var gateway = new GatewayFactory(ReliabilityConfigs.Cluster(
            "RoundRobin",
            [("slow", slow.Address)],
            new Dictionary<string, string> { ["QueueTimeout"] = "00:00:30" },
            new Dictionary<string, IDictionary<string, string>> { ["slow"] = new Dictionary<string, string> { ["MaxConnections"] = "2" } }));
        using var client = gateway.CreatePublicClient();

        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => client.GetAsync($"/r{i}")));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(12, slow.Requests);
        Assert.Equal(2, maxInFlight);
    }

    [Fact]
    public async Task Queue_WaitingRequests_ServedFirstInFirstOutAndDepthVisible()
    {
        var release = new TaskCompletionSource();
        var order = new List<string>();
        await using var backend = await TestBackend.StartAsync("backend");
        backend.Handler = async context =>
        {
            if (context.Request.Path == "/hold")
            {
                await release.Task;
            }
            else
            {
                lock (order)
                {
                    order.Add(context.Request.Path.Value!);
                }
            }

            await context.Response.WriteAsync("ok");
        };
        using var gateway = new GatewayFactory(ReliabilityConfigs.Cluster(
            "RoundRobin",
            [("b1", backend.Address)],
            new Dictionary<string, string> { ["QueueTimeout"] = "00:00:30" },
            new Dictionary<string, IDictionary<string, string>> { ["b1"] = new Dictionary<string, string> { ["MaxConnections"] = "1" } }));
        using var client = gateway.CreatePublicClient();
        var queues = gateway.Services.GetRequiredService<DestinationQueues>();

        var hold = client.GetAsync("/hold");
        await Eventually.TrueAsync(() => backend.Requests == 1, "the first request holds the only connection");
        var queued = new List<Task<HttpResponseMessage>>();
        for (var i = 1; i <= 5; i++)
        {
            queued.Add(client.GetAsync($"/q{i}"));
            var expected = i;
            await Eventually.TrueAsync(() => queues.GetQueued("web", "b1") == expected, $"{expected} requests are queued");
        }

        var stats = Assert.Single(queues.Snapshot());
        Assert.Equal(("web", "b1", 1, 1, 5), (stats.ClusterId, stats.DestinationId, stats.MaxConnections, stats.InFlight, stats.Queued));
        using var admin = gateway.CreateAdminClient();
        var state = await admin.GetStringAsync("/api/state");
        Assert.Contains("\"queued\":5", state, StringComparison.Ordinal);
        var metrics = await admin.GetStringAsync("/metrics");
        Assert.Matches("gateway_destination_queued\\{[^}]*destination=\"b1\"[^}]*\\} 5", metrics);
        release.SetResult();
        await hold;
        var responses = await Task.WhenAll(queued);

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(["/q1", "/q2", "/q3", "/q4", "/q5"], order);
        Assert.Equal(0, queues.GetQueued("web", "b1"));
    }

    [Fact]
    public async Task Queue_Full_503SayingSoWithoutReachingBackend()
    {
        var release = new TaskCompletionSource();
        await using var backend = await TestBackend.StartAsync("backend");
        backend.Handler = async context =>
        {
            await release.Task;
            await context.Response.WriteAsync("ok");
        };
        using var gateway = new GatewayFactory(ReliabilityConfigs.Cluster(
            "RoundRobin",
            [("b1", backend.Address)],
            new Dictionary<string, string> { ["QueueTimeout"] = "00:00:30" },
            new Dictionary<string, IDictionary<string, string>> { ["b1"] = new Dictionary<string, string> { ["MaxConnections"] = "1", ["MaxQueue"] = "1" } }));
        using var client = gateway.CreatePublicClient();
        var queues = gateway.Services.GetRequiredService<DestinationQueues>();

        var first = client.GetAsync("/1");
        await Eventually.TrueAsync(() => backend.Requests == 1, "the first request is in flight");
        var second = client.GetAsync("/2");
        await Eventually.TrueAsync(() => queues.GetQueued("web", "b1") == 1, "the second request is queued");

        var third = await client.GetAsync("/3");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, third.StatusCode);
        Assert.Contains("queue of destination 'b1' of cluster 'web' is full", await third.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.StartsWith("text/plain", third.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        release.SetResult();
        Assert.Equal(HttpStatusCode.OK, (await first).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await second).StatusCode);
        Assert.Equal(2, backend.Requests);
        Assert.Equal(1, queues.Snapshot().Single().QueueFullRejections);
    }

    [Fact]
    public async Task Queue_WaitLongerThanQueueTimeout_503SayingSo()
    {
        var release = new TaskCompletionSource();
        await using var backend = await TestBackend.StartAsync("backend");
        backend.Handler = async context =>
        {
            await release.Task;
            await context.Response.WriteAsync("ok");
        };
        using var gateway = new GatewayFactory(ReliabilityConfigs.Cluster(
            "RoundRobin",
            [("b1", backend.Address)],
            new Dictionary<string, string> { ["QueueTimeout"] = "00:00:00.500" },
            new Dictionary<string, IDictionary<string, string>> { ["b1"] = new Dictionary<string, string> { ["MaxConnections"] = "1" } }));
        using var client = gateway.CreatePublicClient();

        var first = client.GetAsync("/1");
        await Eventually.TrueAsync(() => backend.Requests == 1, "the first request is in flight");
        var started = System.Diagnostics.Stopwatch.StartNew();
        var second = await client.GetAsync("/2");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
        Assert.Contains("waited longer than the queue timeout", await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.InRange(started.Elapsed, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(10));
        release.SetResult();
        Assert.Equal(HttpStatusCode.OK, (await first).StatusCode);
        Assert.Equal(1, backend.Requests);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
