using System.Net;
using Gateway.Admin;
using Gateway.Health;
using Gateway.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.IntegrationTests.Observability;

public sealed class MetricsEndpointTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Metrics_AfterProxiedTraffic_CountsRequestsByRouteClusterDestinationAndStatusClass()
    {
        await using var a = await TestBackend.StartAsync("a");
        a.Handler = context =>
        {
            context.Response.StatusCode = context.Request.Path.Value switch
            {
                "/missing" => 404,
                "/boom" => 500,
                _ => 200,
            };
            return Task.CompletedTask;
        };
        using var gateway = new GatewayFactory(Configs.SingleCluster("RoundRobin", a));
        using var client = gateway.CreatePublicClient();
        using var adminClient = gateway.CreateAdminClient();

        foreach (var path in new[] { "/page", "/missing", "/page", "/boom", "/missing", "/page" })
        {
            using var response = await client.GetAsync(path);
        }

        var samples = await ScrapeUntilAsync(adminClient, s => s.Where(x => x.Name == "gateway_proxy_requests_total").Sum(x => x.Value) == 6);

        (string, string)[] labels = [("route", "all"), ("cluster", "web"), ("destination", "a")];
        Assert.Equal(3, Value(samples, "gateway_proxy_requests_total", [.. labels, ("status_class", "2xx")]));
        Assert.Equal(2, Value(samples, "gateway_proxy_requests_total", [.. labels, ("status_class", "4xx")]));
        Assert.Equal(1, Value(samples, "gateway_proxy_requests_total", [.. labels, ("status_class", "5xx")]));
        Assert.Equal(0, Value(samples, "gateway_proxy_active_requests", ("route", "all"), ("cluster", "web")));
        Assert.Equal(6, Value(samples, "gateway_proxy_upstream_duration_seconds_count", ("cluster", "web"), ("destination", "a")));
        Assert.Equal(6, Value(samples, "gateway_proxy_upstream_duration_seconds_bucket", ("cluster", "web"), ("destination", "a"), ("le", "+Inf")));
        Assert.Equal(0, Value(samples, "gateway_destination_active_requests", ("cluster", "web"), ("destination", "a")));
    }

    [Fact]
    public async Task Metrics_WhileRequestsAreInFlight_ShowActiveRequests()
    {
        await using var a = await TestBackend.StartAsync("a");
        var release = new TaskCompletionSource();
        a.Handler = async context =>
        {
            await release.Task;
            await context.Response.WriteAsync("late");
        };
        using var gateway = new GatewayFactory(Configs.SingleCluster("RoundRobin", a));
        using var client = gateway.CreatePublicClient();
        using var adminClient = gateway.CreateAdminClient();

        var pending = new[] { client.GetStringAsync("/slow"), client.GetStringAsync("/slow") };
        try
        {
            var samples = await ScrapeUntilAsync(adminClient, s => Value(s, "gateway_destination_active_requests", ("destination", "a")) == 2);

            Assert.Equal(2, Value(samples, "gateway_proxy_active_requests", ("route", "all"), ("cluster", "web")));
        }
        finally
        {
            release.SetResult();
            await Task.WhenAll(pending);
        }

        await ScrapeUntilAsync(adminClient, s => Value(s, "gateway_proxy_active_requests", ("route", "all")) == 0
                                                && Value(s, "gateway_destination_active_requests", ("destination", "a")) == 0);
    }

    [Fact]
    public async Task Metrics_AfterProxiedTraffic_IncludeAspNetCoreAndKestrelMetersButNotThePerRequestClientOnes()
    {
        await using var a = await TestBackend.StartAsync("a");
        using var gateway = new GatewayFactory(Configs.SingleCluster("RoundRobin", a));
        using var client = gateway.CreatePublicClient();
        using var adminClient = gateway.CreateAdminClient();

        Assert.Equal("a", await client.GetStringAsync("/"));

        var samples = await ScrapeUntilAsync(adminClient, s =>
            s.Any(x => x.Name == "http_server_request_duration_seconds_count" && x.Has(("http_request_method", "GET"), ("http_response_status_code", "200"))));

        Assert.Contains(samples, s => s.Name.StartsWith("kestrel_", StringComparison.Ordinal));
        Assert.Contains(samples, s => s.Name == "gateway_proxy_upstream_duration_seconds_count" && s.Has(("destination", "a")));
        Assert.DoesNotContain(samples, s => s.Name.StartsWith("http_client_", StringComparison.Ordinal));
        Assert.DoesNotContain(samples, s => s.Name.StartsWith("aspnetcore_routing_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Metrics_HttpClientMetersOn_IncludeHttpClientMeter()
    {
        await using var a = await TestBackend.StartAsync("a");
        using var gateway = new GatewayFactory(Configs.SingleCluster("RoundRobin", a), new Dictionary<string, string?> { ["Gateway:Metrics:HttpClientMeters"] = "true" });
        using var client = gateway.CreatePublicClient();
        using var adminClient = gateway.CreateAdminClient();

        Assert.Equal("a", await client.GetStringAsync("/"));

        var samples = await ScrapeUntilAsync(adminClient, s =>
            s.Any(x => x.Name == "http_client_request_duration_seconds_count" && x.Has(("server_port", a.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)))));

        Assert.Contains(samples, s => s.Name == "http_client_request_duration_seconds_count" && s.Has(("server_address", "127.0.0.1")) && s.Value >= 1);
        Assert.Contains(samples, s => s.Name == "http_client_open_connections");
    }

    [Fact]
    public async Task Metrics_DestinationGauges_FollowHealthAndAdminState()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        // Health counts only where a check is enabled: an active check that probes rarely, so the test decides.
        var config = Configs.SingleCluster("RoundRobin", a, b).Replace(
            "\"LoadBalancingPolicy\":\"RoundRobin\"",
            "\"LoadBalancingPolicy\":\"RoundRobin\",\"HealthCheck\":{\"Active\":{\"Enabled\":true,\"Interval\":\"00:10:00\",\"Policy\":\"RiseFall\",\"Path\":\"/health\"}}",
            StringComparison.Ordinal);
        using var gateway = new GatewayFactory(config);
        using var client = gateway.CreatePublicClient();
        using var adminClient = gateway.CreateAdminClient();

        var samples = await ScrapeUntilAsync(adminClient, s => s.Any(x => x.Name == "gateway_destination_admin_state"));
        Assert.Equal(0, Value(samples, "gateway_destination_health", ("cluster", "web"), ("destination", "a"), ("state", "down")));
        Assert.Equal(1, Value(samples, "gateway_destination_health", ("cluster", "web"), ("destination", "a"), ("state", "up"))
                        + Value(samples, "gateway_destination_health", ("cluster", "web"), ("destination", "a"), ("state", "unknown")));
        Assert.Equal(1, Value(samples, "gateway_destination_admin_state", ("cluster", "web"), ("destination", "b"), ("state", "ready")));

        gateway.Services.GetRequiredService<DestinationAdminStates>().Set("web", "b", AdminState.Drain);
        var proxyState = gateway.Services.GetRequiredService<Yarp.ReverseProxy.IProxyStateLookup>();
        Assert.True(proxyState.TryGetCluster("web", out var cluster));
        cluster.Destinations["a"].Health.Active = Yarp.ReverseProxy.Model.DestinationHealth.Unhealthy;

        samples = await ScrapeUntilAsync(adminClient, s => Value(s, "gateway_destination_admin_state", ("destination", "b"), ("state", "drain")) == 1
                                                           && Value(s, "gateway_destination_health", ("destination", "a"), ("state", "down")) == 1);
        Assert.Equal(0, Value(samples, "gateway_destination_admin_state", ("cluster", "web"), ("destination", "b"), ("state", "ready")));
        Assert.Equal(0, Value(samples, "gateway_destination_health", ("cluster", "web"), ("destination", "a"), ("state", "unknown")));
        Assert.Equal(0, Value(samples, "gateway_destination_health", ("cluster", "web"), ("destination", "a"), ("state", "up")));
        Assert.Equal(1, Value(samples, "gateway_destination_admin_state", ("cluster", "web"), ("destination", "a"), ("state", "ready")));
    }

    [Fact]
    public async Task Metrics_HealthTransitionsAndReloads_AreCounted()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        using var gateway = new GatewayFactory(Configs.SingleCluster("RoundRobin", a));
        using var client = gateway.CreatePublicClient();
        using var adminClient = gateway.CreateAdminClient();

        var samples = await ScrapeUntilAsync(adminClient, s => s.Any(x => x.Name == "gateway_config_reloads_total"));
        Assert.Equal(0, Value(samples, "gateway_config_reloads_total", ("result", "applied")));
        Assert.Equal(0, Value(samples, "gateway_config_reloads_total", ("result", "rejected")));

        var healthLog = gateway.Services.GetRequiredService<DestinationHealthLog>();
        healthLog.RecordTransition("web", "a", new HealthTransition(DateTimeOffset.UtcNow, "DOWN", "status 503"));
        healthLog.RecordTransition("web", "a", new HealthTransition(DateTimeOffset.UtcNow, "UP", "status 200"));
        healthLog.RecordTransition("web", "a", new HealthTransition(DateTimeOffset.UtcNow, "DOWN", "connection refused"));
        gateway.WriteConfig(Configs.SingleCluster("RoundRobin", a, b));
        samples = await ScrapeUntilAsync(adminClient, s => Value(s, "gateway_config_reloads_total", ("result", "applied")) == 1);

        gateway.WriteConfig("{ \"ReverseProxy\": { \"Routes\": { \"all\": { \"ClusterId\": \"nowhere\", \"Match\": { \"Path\": \"/{**rest}\" } } } } }");
        samples = await ScrapeUntilAsync(adminClient, s => Value(s, "gateway_config_reloads_total", ("result", "rejected")) == 1);

        Assert.Equal(1, Value(samples, "gateway_config_reloads_total", ("result", "applied")));
        Assert.Equal(2, Value(samples, "gateway_health_transitions_total", ("cluster", "web"), ("destination", "a"), ("direction", "down")));
        Assert.Equal(1, Value(samples, "gateway_health_transitions_total", ("cluster", "web"), ("destination", "a"), ("direction", "up")));
    }

    [Fact]
    public async Task Metrics_OtherMethodThanGet_IsRefused()
    {
        await using var a = await TestBackend.StartAsync("a");
        using var gateway = new GatewayFactory(Configs.SingleCluster("RoundRobin", a));
        using var adminClient = gateway.CreateAdminClient();

        using var response = await adminClient.PostAsync("/metrics", content: null);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    public async Task Metrics_ContentType_IsPrometheusText()
    {
        await using var a = await TestBackend.StartAsync("a");
        using var gateway = new GatewayFactory(Configs.SingleCluster("RoundRobin", a));
        using var adminClient = gateway.CreateAdminClient();

        using var response = await adminClient.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("# TYPE gateway_destination_health gauge", await response.Content.ReadAsStringAsync());
    }

    private static double? Value(IReadOnlyList<PrometheusSample> samples, string name, params (string Label, string Value)[] labels)
        => samples.SingleOrDefault(s => s.Name == name && s.Has(labels))?.Value;

    private static string Describe(PrometheusSample sample)
        => sample.Name + "{" + string.Join(",", sample.Labels.Select(l => l.Key + "=" + l.Value)) + "} " + sample.Value;

    /// <summary>Scrapes until the condition holds: the exporter may serve a briefly cached scrape.</summary>
    private static async Task<IReadOnlyList<PrometheusSample>> ScrapeUntilAsync(HttpClient adminClient, Func<IReadOnlyList<PrometheusSample>, bool> condition)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (true)
        {
            var samples = PrometheusText.Parse(await adminClient.GetStringAsync("/metrics"));
            if (condition(samples))
            {
                return samples;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail("The metrics never met the condition. Last scrape:\n" + string.Join("\n", samples.Select(Describe)));
            }

            await Task.Delay(100);
        }
    }
}
