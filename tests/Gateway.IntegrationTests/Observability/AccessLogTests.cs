using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.IntegrationTests.Infrastructure;
using Gateway.Observability;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;

namespace Gateway.IntegrationTests.Observability;

public sealed class AccessLogTests
{
    private static readonly string[] ContractProperties =
        ["ClientIp", "Method", "Path", "StatusCode", "RouteId", "ClusterId", "DestinationId", "ElapsedMs", "UpstreamMs", "Outcome"];

    [Fact]
    public async Task AccessLog_ProxiedRequest_WritesOneEventWithTheContractProperties()
    {
        await using var a = await TestBackend.StartAsync("a");
        var sink = new CapturingSink();
        using var gateway = Start(Configs.SingleCluster("RoundRobin", a), sink);
        using var client = gateway.CreatePublicClient();

        Assert.Equal("a", await client.GetStringAsync("/hello/world?x=1"));

        var entry = await sink.WaitForAsync(IsAccessLog);
        Assert.Equal(LogEventLevel.Information, entry.Level);
        Assert.All(ContractProperties, p => Assert.Contains(p, entry.Properties.Keys));
        Assert.Equal("127.0.0.1", entry.Scalar("ClientIp")?.ToString());
        Assert.Equal("GET", entry.Scalar("Method"));
        Assert.Equal("/hello/world", entry.Scalar("Path"));
        Assert.Equal(200, entry.Scalar("StatusCode"));
        Assert.Equal("all", entry.Scalar("RouteId"));
        Assert.Equal("web", entry.Scalar("ClusterId"));
        Assert.Equal("a", entry.Scalar("DestinationId"));
        Assert.Equal(ProxyOutcome.Ok, entry.Scalar("Outcome"));
        var elapsed = Assert.IsType<double>(entry.Scalar("ElapsedMs"));
        var upstream = Assert.IsType<double>(entry.Scalar("UpstreamMs"));
        Assert.InRange(upstream, 0, elapsed);
        Assert.Single(sink.Events, IsAccessLog);
    }

    [Fact]
    public async Task AccessLog_ManyRequests_OneEventEach()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        var sink = new CapturingSink();
        using var gateway = Start(Configs.SingleCluster("RoundRobin", a, b), sink);
        using var client = gateway.CreatePublicClient();

        for (var i = 0; i < 10; i++)
        {
            await client.GetStringAsync($"/item/{i}");
        }

        await sink.WaitForAsync(e => IsAccessLog(e) && (string?)e.Scalar("Path") == "/item/9");
        var paths = sink.Events.Where(IsAccessLog).Select(e => (string?)e.Scalar("Path")).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"/item/{i}").Order(), paths);
        Assert.Equal(5, sink.Events.Count(e => IsAccessLog(e) && (string?)e.Scalar("DestinationId") == "a"));
    }

    [Fact]
    public async Task AccessLog_BackendAnswers500_OutcomeOkWithItsStatus()
    {
        await using var a = await TestBackend.StartAsync("a");
        a.Handler = context =>
        {
            context.Response.StatusCode = 500;
            return Task.CompletedTask;
        };
        var sink = new CapturingSink();
        using var gateway = Start(Configs.SingleCluster("RoundRobin", a), sink);
        using var client = gateway.CreatePublicClient();

        using var response = await client.PostAsync("/orders", new StringContent("{}"));

        var entry = await sink.WaitForAsync(IsAccessLog);
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("POST", entry.Scalar("Method"));
        Assert.Equal(500, entry.Scalar("StatusCode"));
        Assert.Equal(ProxyOutcome.Ok, entry.Scalar("Outcome"));
        Assert.IsType<double>(entry.Scalar("UpstreamMs"));
    }

    [Fact]
    public async Task AccessLog_DestinationRefusesConnections_OutcomeConnectFailedWithoutUpstreamTime()
    {
        var dead = await TestBackend.StartAsync("dead");
        await dead.StopAsync();
        var sink = new CapturingSink();
        using var gateway = Start(Configs.SingleCluster("RoundRobin", dead), sink);
        using var client = gateway.CreatePublicClient();

        using var response = await client.GetAsync("/");

        var entry = await sink.WaitForAsync(IsAccessLog);
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(502, entry.Scalar("StatusCode"));
        Assert.Equal("dead", entry.Scalar("DestinationId"));
        Assert.Equal(ProxyOutcome.ConnectFailed, entry.Scalar("Outcome"));
        Assert.Null(entry.Scalar("UpstreamMs"));
    }

    [Fact]
    public async Task AccessLog_DestinationTooSlow_OutcomeUpstreamTimeout()
    {
        await using var a = await TestBackend.StartAsync("a");
        a.Handler = async context =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
            await context.Response.WriteAsync("late");
        };
        var sink = new CapturingSink();
        using var gateway = Start(Cluster(new Dictionary<string, object> { ["a"] = new { Address = a.Address } }, activityTimeout: "00:00:00.500"), sink);
        using var client = gateway.CreatePublicClient();

        using var response = await client.GetAsync("/slow");

        var entry = await sink.WaitForAsync(IsAccessLog);
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal(504, entry.Scalar("StatusCode"));
        Assert.Equal(ProxyOutcome.UpstreamTimeout, entry.Scalar("Outcome"));
        Assert.InRange(Assert.IsType<double>(entry.Scalar("ElapsedMs")), 400, 30_000);
    }

    [Fact]
    public async Task AccessLog_ClusterWithoutDestinations_OutcomeNoAvailableDestinations()
    {
        var sink = new CapturingSink();
        using var gateway = Start(Cluster([]), sink);
        using var client = gateway.CreatePublicClient();

        using var response = await client.GetAsync("/");

        var entry = await sink.WaitForAsync(IsAccessLog);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(503, entry.Scalar("StatusCode"));
        Assert.Null(entry.Scalar("DestinationId"));
        Assert.Null(entry.Scalar("UpstreamMs"));
        Assert.Equal(ProxyOutcome.NoAvailableDestinations, entry.Scalar("Outcome"));
    }

    [Fact]
    public async Task AccessLog_ClientLeavesBeforeTheResponse_OutcomeClientAborted()
    {
        await using var a = await TestBackend.StartAsync("a");
        var backendSawAbort = new TaskCompletionSource();
        a.Handler = async context =>
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                backendSawAbort.TrySetResult();
            }
        };
        var sink = new CapturingSink();
        using var gateway = Start(Configs.SingleCluster("RoundRobin", a), sink);
        using var client = new HttpClient { BaseAddress = gateway.PublicAddress, Timeout = TimeSpan.FromMilliseconds(500) };

        await Assert.ThrowsAnyAsync<TaskCanceledException>(() => client.GetAsync("/wait"));

        var entry = await sink.WaitForAsync(IsAccessLog);
        Assert.Equal(ProxyOutcome.ClientAborted, entry.Scalar("Outcome"));
        Assert.Equal("a", entry.Scalar("DestinationId"));
        await backendSawAbort.Task.WaitAsync(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task AccessLog_BehindTrustedProxy_ClientIpIsTheForwardedAddress()
    {
        await using var a = await TestBackend.StartAsync("a");
        var sink = new CapturingSink();
        using var gateway = Start(Configs.SingleCluster("RoundRobin", a), sink, new Dictionary<string, string?>
        {
            ["Gateway:ForwardedHeaders:TrustedProxies:0"] = "127.0.0.1",
        });
        using var client = gateway.CreatePublicClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");

        using var response = await client.SendAsync(request);

        var entry = await sink.WaitForAsync(IsAccessLog);
        Assert.Equal("203.0.113.7", entry.Scalar("ClientIp")?.ToString());
    }

    [Fact]
    public async Task AccessLog_LevelOverriddenToWarning_WritesNothingElseStillLogs()
    {
        await using var a = await TestBackend.StartAsync("a");
        var sink = new CapturingSink();
        using var gateway = Start(Configs.SingleCluster("RoundRobin", a), sink, new Dictionary<string, string?>
        {
            [$"Serilog:MinimumLevel:Override:{AccessLog.SourceContext}"] = "Warning",
        });
        using var client = gateway.CreatePublicClient();

        Assert.Equal("a", await client.GetStringAsync("/"));
        gateway.WriteConfig(Configs.SingleCluster("RoundRobin", ("a", a.Address, (int?)2)));

        await sink.WaitForAsync(e => e.Source() == "Gateway.Configuration.ConfigurationTracker" && e.MessageTemplate.Text.StartsWith("Configuration applied", StringComparison.Ordinal) && (int?)e.Scalar("Routes") == 1 && sink.Events.Count(x => x.Source() == e.Source()) >= 2);
        Assert.DoesNotContain(sink.Events, IsAccessLog);
    }

    [Fact]
    public async Task AccessLog_LevelChangedInAWatchedFile_TurnsOffAndOnWithoutRestart()
    {
        await using var a = await TestBackend.StartAsync("a");
        var sink = new CapturingSink();
        using var gateway = Start(WithAccessLogLevel(Configs.SingleCluster("RoundRobin", a), "Information"), sink);
        using var client = gateway.CreatePublicClient();
        var accessLog = gateway.Services.GetRequiredService<AccessLog>();

        await client.GetStringAsync("/one");
        gateway.WriteConfig(WithAccessLogLevel(Configs.SingleCluster("RoundRobin", a), "Warning"));
        await WaitUntilAsync(() => !accessLog.IsEnabled);
        await client.GetStringAsync("/two");
        gateway.WriteConfig(WithAccessLogLevel(Configs.SingleCluster("RoundRobin", a), "Information"));
        await WaitUntilAsync(() => accessLog.IsEnabled);
        await client.GetStringAsync("/three");

        await sink.WaitForAsync(e => IsAccessLog(e) && (string?)e.Scalar("Path") == "/three");
        Assert.Equal(["/one", "/three"], sink.Events.Where(IsAccessLog).Select(e => (string?)e.Scalar("Path")));

        static string WithAccessLogLevel(string config, string level)
        {
            var json = JsonNode.Parse(config)!;
            json["Serilog"] = new JsonObject { ["MinimumLevel"] = new JsonObject { ["Override"] = new JsonObject { [AccessLog.SourceContext] = level } } };
            return json.ToJsonString();
        }
    }

    [Fact]
    public async Task ConfigurationReload_ThroughSerilog_LogsAppliedWithRevisionAndRejectedWithErrors()
    {
        await using var a = await TestBackend.StartAsync("a");
        var sink = new CapturingSink();
        using var gateway = Start(Configs.SingleCluster("RoundRobin", a), sink);
        using var client = gateway.CreatePublicClient();
        var initial = await sink.WaitForAsync(IsApplied);

        gateway.WriteConfig(Configs.SingleCluster("RoundRobin", ("a", a.Address, (int?)3)));
        var applied = await sink.WaitForAsync(e => IsApplied(e) && !Equals(e.Scalar("Revision"), initial.Scalar("Revision")));
        gateway.WriteConfig("{ \"ReverseProxy\": { \"Routes\": { \"all\": { \"ClusterId\": \"nowhere\", \"Match\": { \"Path\": \"/{**rest}\" } } } } }");
        var rejected = await sink.WaitForAsync(e => e.Source() == "Gateway.Configuration.ConfigurationTracker" && e.Level == LogEventLevel.Error);

        Assert.Equal(LogEventLevel.Information, applied.Level);
        Assert.Matches("^[0-9a-f]{16}$", (string?)applied.Scalar("Revision"));
        Assert.Contains("nowhere", (string?)rejected.Scalar("Errors"));
        Assert.Equal(applied.Scalar("Revision"), rejected.Scalar("Revision"));

        static bool IsApplied(LogEvent e)
            => e.Source() == "Gateway.Configuration.ConfigurationTracker" && e.MessageTemplate.Text.StartsWith("Configuration applied", StringComparison.Ordinal);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition never held.");
            await Task.Delay(50);
        }
    }

    private static bool IsAccessLog(LogEvent e) => e.Source() == AccessLog.SourceContext;

    private static GatewayFactory Start(string config, CapturingSink sink, IDictionary<string, string?>? settings = null)
        => new(config, settings) { ConfigureTestServices = services => services.AddSingleton<ILogEventSink>(sink) };

    private static string Cluster(Dictionary<string, object> destinations, string? activityTimeout = null)
        => JsonSerializer.Serialize(new
        {
            ReverseProxy = new
            {
                Routes = new Dictionary<string, object> { ["all"] = new { ClusterId = "web", Match = new { Path = "/{**catch-all}" } } },
                Clusters = new Dictionary<string, object>
                {
                    ["web"] = activityTimeout is null
                        ? new { Destinations = destinations }
                        : new { Destinations = destinations, HttpRequest = new { ActivityTimeout = activityTimeout } },
                },
            },
        });
}
