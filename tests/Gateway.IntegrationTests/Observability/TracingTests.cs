using System.Collections.Concurrent;
using System.Net;
using Gateway.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Trace;

namespace Gateway.IntegrationTests.Observability;

public sealed class TracingTests
{
    [Fact]
    public async Task Tracing_OtlpEndpointSet_ExportsTheProxiedRequestsTrace()
    {
        await using var collector = await FakeOtlpCollector.StartAsync();
        await using var a = await TestBackend.StartAsync("a");
        var traceParents = new ConcurrentQueue<string>();
        a.Handler = context =>
        {
            traceParents.Enqueue(context.Request.Headers["traceparent"].ToString());
            return context.Response.WriteAsync("a");
        };
        // Set as an operator would, in the environment: the gateway decides at start-up whether to trace.
        using var environment = new EnvironmentVariables(new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Address.ToString(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
        });
        using var gateway = new GatewayFactory(Configs.SingleCluster("RoundRobin", a));
        using var client = gateway.CreatePublicClient();

        Assert.Equal("a", await client.GetStringAsync("/traced"));

        Assert.NotNull(gateway.Services.GetService<TracerProvider>());
        var traceParent = Assert.Single(traceParents);
        var traceId = Convert.FromHexString(traceParent.Split('-')[1]);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!collector.Exports.Any(e => e.Path == "/v1/traces" && e.Body.AsSpan().IndexOf(traceId) >= 0))
        {
            Assert.True(DateTime.UtcNow < deadline, $"No OTLP export carried trace {traceParent}; exports: {collector.Exports.Count}");
            await Task.Delay(100);
        }

        var export = collector.Exports.First(e => e.Body.AsSpan().IndexOf(traceId) >= 0);
        Assert.Equal("application/x-protobuf", export.ContentType);
        Assert.True(export.Body.AsSpan().IndexOf("gateway"u8) >= 0, "the export names the service");
    }

    [Fact]
    public async Task Tracing_NoOtlpEndpoint_HasNoTracerProvider()
    {
        await using var a = await TestBackend.StartAsync("a");
        using var gateway = new GatewayFactory(Configs.SingleCluster("RoundRobin", a));
        using var client = gateway.CreatePublicClient();

        Assert.Equal("a", await client.GetStringAsync("/"));

        Assert.Null(gateway.Services.GetService<TracerProvider>());
    }

    /// <summary>Sets process environment variables for one test (this assembly runs its tests one at a time).</summary>
    private sealed class EnvironmentVariables : IDisposable
    {
        private readonly Dictionary<string, string?> _previous = [];

        public EnvironmentVariables(Dictionary<string, string> variables)
        {
            foreach (var (name, value) in variables)
            {
                _previous[name] = Environment.GetEnvironmentVariable(name);
                Environment.SetEnvironmentVariable(name, value);
            }
        }

        public void Dispose()
        {
            foreach (var (name, value) in _previous)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }

    /// <summary>Accepts OTLP/HTTP exports on 127.0.0.1 and keeps them.</summary>
    private sealed class FakeOtlpCollector : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private FakeOtlpCollector(WebApplication app, Uri address)
        {
            _app = app;
            Address = address;
        }

        public Uri Address { get; }

        public ConcurrentQueue<(string Path, string? ContentType, byte[] Body)> Exports { get; } = new();

        public static async Task<FakeOtlpCollector> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            FakeOtlpCollector? collector = null;
            app.Run(async context =>
            {
                using var body = new MemoryStream();
                await context.Request.Body.CopyToAsync(body);
                collector!.Exports.Enqueue((context.Request.Path.Value!, context.Request.ContentType, body.ToArray()));
                context.Response.ContentType = "application/x-protobuf";
            });
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            collector = new FakeOtlpCollector(app, new Uri(address));
            return collector;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
