using System.Net;
using System.Net.Http.Headers;
using BenchmarkDotNet.Attributes;
using Gateway.Configuration;
using Gateway.Observability;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Benchmarks.Proxy;

/// <summary>
/// One proxied request through the whole in-process pipeline, the gateway's (its real <c>Program</c>, Production
/// settings, every feature of bench/run.sh on) against a plain YARP app with logging off (bench/run.sh's
/// <c>yarp-nolog</c>, the floor). Both run on ASP.NET Core's in-memory test server and forward to the same
/// canned backend response, so sockets, Kestrel's parsing and the machine's noise are out of the figures and
/// the difference is what the gateway's own steps cost per request, in time and bytes.
/// </summary>
[MemoryDiagnoser]
public class PipelineBenchmarks
{
    private static readonly IPAddress s_client = IPAddress.Parse("203.0.113.7");

    private static readonly Dictionary<string, string?> s_proxy = new()
    {
        ["ReverseProxy:Routes:all:ClusterId"] = "backends",
        ["ReverseProxy:Routes:all:Match:Path"] = "{**catch-all}",
        ["ReverseProxy:Clusters:backends:LoadBalancingPolicy"] = "RoundRobin",
        ["ReverseProxy:Clusters:backends:Destinations:b1:Address"] = "http://backend-1.invalid/",
        ["ReverseProxy:Clusters:backends:Destinations:b2:Address"] = "http://backend-2.invalid/",
        ["ReverseProxy:Clusters:backends:Destinations:b3:Address"] = "http://backend-3.invalid/",
    };

    private static readonly Dictionary<string, string?> s_gatewayFeatures = new()
    {
        ["ReverseProxy:Clusters:backends:HealthCheck:Active:Enabled"] = "true",
        ["ReverseProxy:Clusters:backends:HealthCheck:Active:Interval"] = "00:00:02",
        ["ReverseProxy:Clusters:backends:HealthCheck:Active:Timeout"] = "00:00:01",
        ["ReverseProxy:Clusters:backends:HealthCheck:Active:Policy"] = "RiseFall",
        ["ReverseProxy:Clusters:backends:HealthCheck:Active:Path"] = "/health",
        ["ReverseProxy:Clusters:backends:HealthCheck:Passive:Enabled"] = "true",
        ["ReverseProxy:Clusters:backends:HealthCheck:Passive:Policy"] = "OutlierDetection",
        ["ReverseProxy:Clusters:backends:HealthCheck:Passive:ReactivationPeriod"] = "00:00:30",
        ["Gateway:Admin:Urls"] = "http://127.0.0.1:0",
        ["Gateway:Demo:Enabled"] = "false",
        // The access-log event is built and dispatched on the request path as in production; the console sink
        // then drops it instead of writing, so the benchmark's output stays readable. Its formatting, on the
        // writer's thread, is TelemetryBenchmarks.AccessLogFormat.
        ["Serilog:WriteTo:Console:Args:restrictedToMinimumLevel"] = "Fatal",
    };

    // Any type of the gateway's assembly names its entry point; Program would resolve to this project's own.
    private WebApplicationFactory<GatewayOptions> _gateway = null!;
    private TestServer _gatewayServer = null!;
    private WebApplicationFactory<GatewayOptions> _gatewayWithoutAccessLog = null!;
    private TestServer _gatewayWithoutAccessLogServer = null!;
    private WebApplication _yarp = null!;
    private TestServer _yarpServer = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        // Where the gateway's Program puts its content root, so the factory agrees with it.
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_GATEWAY", AppContext.BaseDirectory);
        _gateway = GatewayHost(s_gatewayFeatures);
        _gatewayServer = _gateway.Server;
        _gatewayWithoutAccessLog = GatewayHost(new Dictionary<string, string?>(s_gatewayFeatures)
        {
            [$"Serilog:MinimumLevel:Override:{AccessLog.SourceContext}"] = "Warning",
        });
        _gatewayWithoutAccessLogServer = _gatewayWithoutAccessLog.Server;

        var yarp = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        yarp.Logging.ClearProviders();
        yarp.WebHost.UseTestServer();
        yarp.Configuration.AddInMemoryCollection(s_proxy);
        yarp.Services.AddReverseProxy().LoadFromConfig(yarp.Configuration.GetSection("ReverseProxy"));
        yarp.Services.AddSingleton<IForwarderHttpClientFactory, CannedBackend>();
        _yarp = yarp.Build();
        _yarp.MapReverseProxy();
        await _yarp.StartAsync();
        _yarpServer = _yarp.GetTestServer();

        await Check(_gatewayServer);
        await Check(_gatewayWithoutAccessLogServer);
        await Check(_yarpServer);
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _yarp.DisposeAsync();
        await _gateway.DisposeAsync();
        await _gatewayWithoutAccessLog.DisposeAsync();
    }

    [Benchmark(Baseline = true)]
    public Task<HttpContext> PlainYarp() => _yarpServer.SendAsync(Request);

    [Benchmark]
    public Task<HttpContext> Gateway() => _gatewayServer.SendAsync(Request);

    /// <summary>The same with the access log's level raised above its events: what the rest of the gateway costs.</summary>
    [Benchmark]
    public Task<HttpContext> GatewayWithoutAccessLog() => _gatewayWithoutAccessLogServer.SendAsync(Request);

    private static WebApplicationFactory<GatewayOptions> GatewayHost(IReadOnlyDictionary<string, string?> features)
        => new WebApplicationFactory<GatewayOptions>().WithWebHostBuilder(web => web
            .UseEnvironment("Production")
            .ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(s_proxy).AddInMemoryCollection(features))
            .ConfigureTestServices(services => services.AddSingleton<IForwarderHttpClientFactory, CannedBackend>()));

    private static void Request(HttpContext context)
    {
        context.Request.Method = HttpMethods.Get;
        context.Request.Path = "/small";
        context.Connection.RemoteIpAddress = s_client;
    }

    private static async Task Check(TestServer server)
    {
        var context = await server.SendAsync(Request);
        if (context.Response.StatusCode != StatusCodes.Status200OK)
        {
            throw new InvalidOperationException($"The benchmark's request was answered {context.Response.StatusCode}, not 200.");
        }
    }

    /// <summary>Every destination answers at once with the bench backends' <c>/small</c> body.</summary>
    private sealed class CannedBackend : IForwarderHttpClientFactory
    {
        private static readonly byte[] s_body = "Hello from the backend\n"u8.ToArray();
        private static readonly MediaTypeHeaderValue s_textPlain = new("text/plain");

        public HttpMessageInvoker CreateClient(ForwarderHttpClientContext context) => new(new Handler());

        private sealed class Handler : HttpMessageHandler
        {
            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
                => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
                {
                    RequestMessage = request,
                    Content = new ByteArrayContent(s_body) { Headers = { ContentType = s_textPlain } },
                });
        }
    }
}
