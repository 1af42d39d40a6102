using System.Net;
using Gateway.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Gateway.IntegrationTests.Reliability;

/// <summary>Retries with redispatch through real sockets: what is retried, where to, and what never is.</summary>
public sealed class RetryTests
{
    [Fact]
    public async Task Get_ConnectionRefused_RedispatchedToLiveDestination()
    {
        await using var live = await TestBackend.StartAsync("live");
        var dead = $"http://127.0.0.1:{ReliabilityConfigs.ClosedPort()}/";
        using var gateway = new GatewayFactory(ReliabilityConfigs.Cluster("RoundRobin", [("dead", dead), ("live", live.Address)]));
        using var client = gateway.CreatePublicClient();

        for (var i = 0; i < 10; i++)
        {
            var response = await client.GetAsync($"/r{i}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("live", await response.Content.ReadAsStringAsync());
        }

        Assert.Equal(10, live.Requests);
    }

    [Fact]
    public async Task Get_ConnectionClosedBeforeResponse_RetriedOnOtherDestination()
    {
        await using var closing = await TestBackend.StartAsync("closing");
        closing.Handler = context =>
        {
            context.Abort();
            return Task.CompletedTask;
        };
        await using var live = await TestBackend.StartAsync("live");
        using var gateway = new GatewayFactory(ReliabilityConfigs.Cluster("RoundRobin", [("closing", closing.Address), ("live", live.Address)]));
        using var client = gateway.CreatePublicClient();

        for (var i = 0; i < 10; i++)
        {
            var response = await client.GetAsync($"/r{i}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.True(closing.Requests > 0, "the closing destination was tried");
        Assert.Equal(10, live.Requests);
    }

    [Fact]
    public async Task Post_ConnectionClosedBeforeResponse_SentOnceNeverTwice()
    {
        await using var dying = await TestBackend.StartAsync("dying");
        dying.Handler = context =>
        {
            context.Abort();
            return Task.CompletedTask;
        };
        await using var live = await TestBackend.StartAsync("live");
        using var gateway = new GatewayFactory(ReliabilityConfigs.Cluster(
            "FirstAlphabetical",
            [("a-dying", dying.Address), ("b-live", live.Address)],
            new Dictionary<string, string> { ["Retry.NonIdempotent"] = "true" }));
        using var client = gateway.CreatePublicClient();

        for (var i = 0; i < 5; i++)
        {
            var response = await client.PostAsync("/orders", new StringContent("order"));
            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        }

        Assert.Equal(5, dying.Requests);
        Assert.Equal(0, live.Requests);
    }

    [Fact]
    public async Task Post_ConnectionRefused_RetriedOnlyWhenNonIdempotentIsTrue()
    {
        await using var live = await TestBackend.StartAsync("live");
        var dead = $"http://127.0.0.1:{ReliabilityConfigs.ClosedPort()}/";
        (string, string)[] destinations = [("a-dead", dead), ("b-live", live.Address)];

        using (var gateway = new GatewayFactory(ReliabilityConfigs.Cluster("FirstAlphabetical", destinations)))
        using (var client = gateway.CreatePublicClient())
        {
            var response = await client.PostAsync("/orders", new StringContent("order"));
            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
            Assert.Equal(0, live.Requests);
        }

        using (var gateway = new GatewayFactory(ReliabilityConfigs.Cluster(
            "FirstAlphabetical", destinations, new Dictionary<string, string> { ["Retry.NonIdempotent"] = "true" })))
        using (var client = gateway.CreatePublicClient())
        {
            var response = await client.PostAsync("/orders", new StringContent("order"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(1, live.Requests);
        }
    }

    [Fact]
    public async Task Get_Timeout_504AndNeverAskedTwice()
    {
        await using var slow = await TestBackend.StartAsync("slow");
        slow.Handler = async context =>
        {
            await Task.Delay(TimeSpan.FromSeconds(5), context.RequestAborted);
            await context.Response.WriteAsync("late");
        };
        await using var live = await TestBackend.StartAsync("live");
        using var gateway = new GatewayFactory(ReliabilityConfigs.Cluster(
            "FirstAlphabetical",
            [("a-slow", slow.Address), ("b-live", live.Address)],
            httpRequest: new { ActivityTimeout = "00:00:01" }));
        using var client = gateway.CreatePublicClient();

        var response = await client.GetAsync("/slow");

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal(1, slow.Requests);
        Assert.Equal(0, live.Requests);
    }

    [Fact]
    public async Task Get_ResetAfterResponseStarted_NotRetried()
    {
        await using var breaking = await TestBackend.StartAsync("breaking");
        breaking.Handler = async context =>
        {
            context.Response.ContentLength = 1000;
            await context.Response.WriteAsync("partial");
            await context.Response.Body.FlushAsync();
            await Task.Delay(200);
            context.Abort();
        };
        await using var live = await TestBackend.StartAsync("live");
        using var gateway = new GatewayFactory(ReliabilityConfigs.Cluster(
            "FirstAlphabetical", [("a-breaking", breaking.Address), ("b-live", live.Address)]));
        using var client = gateway.CreatePublicClient();

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.GetStringAsync("/download"));

        Assert.Equal(1, breaking.Requests);
        Assert.Equal(0, live.Requests);
    }

    [Fact]
    public async Task Put_BodySentThenClosed_NotRetried()
    {
        await using var reading = await TestBackend.StartAsync("reading");
        reading.Handler = async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            await reader.ReadToEndAsync();
            context.Abort();
        };
        await using var live = await TestBackend.StartAsync("live");
        using var gateway = new GatewayFactory(ReliabilityConfigs.Cluster(
            "FirstAlphabetical", [("a-reading", reading.Address), ("b-live", live.Address)]));
        using var client = gateway.CreatePublicClient();

        var response = await client.PutAsync("/doc", new StringContent(new string('x', 10_000)));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(1, reading.Requests);
        Assert.Equal(0, live.Requests);
    }

    [Fact]
    public async Task Put_ConnectionRefused_BodyUnsentSoRetried()
    {
        await using var live = await TestBackend.StartAsync("live");
        live.Handler = async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            await context.Response.WriteAsync($"got {(await reader.ReadToEndAsync()).Length}");
        };
        var dead = $"http://127.0.0.1:{ReliabilityConfigs.ClosedPort()}/";
        using var gateway = new GatewayFactory(ReliabilityConfigs.Cluster("FirstAlphabetical", [("a-dead", dead), ("b-live", live.Address)]));
        using var client = gateway.CreatePublicClient();

        var response = await client.PutAsync("/doc", new StringContent(new string('x', 10_000)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("got 10000", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Get_RetryCountZero_NotRetried()
    {
        await using var live = await TestBackend.StartAsync("live");
        var dead = $"http://127.0.0.1:{ReliabilityConfigs.ClosedPort()}/";
        using var gateway = new GatewayFactory(ReliabilityConfigs.Cluster(
            "FirstAlphabetical", [("a-dead", dead), ("b-live", live.Address)], new Dictionary<string, string> { ["Retry.Count"] = "0" }));
        using var client = gateway.CreatePublicClient();

        var response = await client.GetAsync("/x");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(0, live.Requests);
    }

    [Fact]
    public async Task Get_AllDestinationsDown_TriedOncePlusRetryCountThen502()
    {
        var attempts = 0;
        await using var closing = await TestBackend.StartAsync("closing");
        closing.Handler = context =>
        {
            Interlocked.Increment(ref attempts);
            context.Abort();
            return Task.CompletedTask;
        };
        using var gateway = new GatewayFactory(ReliabilityConfigs.Cluster(
            "RoundRobin", [("only", closing.Address)], new Dictionary<string, string> { ["Retry.Count"] = "3" }));
        using var client = gateway.CreatePublicClient();

        var response = await client.GetAsync("/x");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(4, attempts);
    }

    [Fact]
    public async Task Get_FailedAttempt_ReportedToConfiguredPassivePolicy()
    {
        await using var live = await TestBackend.StartAsync("live");
        var dead = $"http://127.0.0.1:{ReliabilityConfigs.ClosedPort()}/";
        var recorder = new RecordingPassivePolicy();
        using var gateway = new GatewayFactory(ReliabilityConfigs.Cluster(
            "FirstAlphabetical",
            [("a-dead", dead), ("b-live", live.Address)],
            healthCheck: new { Passive = new { Enabled = true, Policy = RecordingPassivePolicy.PolicyName } }))
        {
            ConfigureTestServices = services => services.TryAddEnumerable(ServiceDescriptor.Singleton<IPassiveHealthCheckPolicy>(recorder)),
        };
        using var client = gateway.CreatePublicClient();

        var response = await client.GetAsync("/x");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["a-dead: Request", "b-live: ok"], recorder.Reports);
    }

    private sealed class RecordingPassivePolicy : IPassiveHealthCheckPolicy
    {
        public const string PolicyName = "Recording";

        private readonly List<string> _reports = [];

        public string Name => PolicyName;

        public IReadOnlyList<string> Reports
        {
            get
            {
                lock (_reports)
                {
                    return _reports.ToArray();
                }
            }
        }

        public void RequestProxied(HttpContext context, ClusterState cluster, DestinationState destination)
        {
            var error = context.Features.Get<IForwarderErrorFeature>();
            lock (_reports)
            {
                _reports.Add($"{destination.DestinationId}: {(error is null ? "ok" : error.Error.ToString())}");
            }
        }
    }
}
