using Gateway.Admin;
using Gateway.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Serilog;
using Serilog.Extensions.Logging;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Gateway.Observability;

public static class ObservabilityExtensions
{
    /// <summary>The standard OpenTelemetry variable: when set, traces are exported there over OTLP.</summary>
    public const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>The standard OpenTelemetry variable for the service name; <c>gateway</c> when unset.</summary>
    public const string ServiceNameKey = "OTEL_SERVICE_NAME";

    /// <summary>YARP's own activity source (<c>proxy.forwarder</c> spans with route, cluster and destination).</summary>
    private const string YarpActivitySource = "Yarp.ReverseProxy";

    /// <summary>
    /// ASP.NET Core's meters but routing's, whose one counter per request says only that the catch-all route matched.
    /// </summary>
    private static readonly string[] AspNetCoreMeters =
    [
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.Http.Connections",
        "Microsoft.AspNetCore.Diagnostics",
        "Microsoft.AspNetCore.RateLimiting",
    ];

    /// <summary>
    /// Serilog for every log (configured from the <c>Serilog</c> section), OpenTelemetry metrics for the admin
    /// listener's <c>/metrics</c>, and OTLP tracing when <see cref="OtlpEndpointKey"/> is set.
    /// </summary>
    public static WebApplicationBuilder AddGatewayObservability(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        AddSerilog(builder);
        services.AddOptions<ConsoleLogCheck>().ValidateOnStart();
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<ConsoleLogCheck>, ConsoleLogCheckValidator>();

        // OpenTelemetry's own hosted service goes first, so the meter provider listens when the counters start.
        AddOpenTelemetry(builder);
        services.AddSingleton<GatewayMetrics>();
        services.AddSingleton<DestinationMetrics>();
        services.AddHostedService<ControlPlaneMetrics>();
        services.AddSingleton<AccessLog>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITransformProvider, UpstreamTimingTransformProvider>());
        services.AddSingleton<IAdminEndpointSource, PrometheusMetricsEndpoint>();
        return builder;
    }

    /// <summary>The observability step, first in the proxy pipeline so that it sees every other step's effect.</summary>
    public static IReverseProxyApplicationBuilder UseGatewayObservability(this IReverseProxyApplicationBuilder proxy)
    {
        proxy.UseMiddleware<ProxyTelemetryMiddleware>();
        return proxy;
    }

    /// <summary>
    /// Every metric update costs an aggregator look-up by its tags (about 0.5 us on the benchmark machine), so the
    /// meters that record several per request are chosen: the gateway's own, ASP.NET Core's request duration and
    /// Kestrel's connections, DNS. HttpClient's meter (about 7 updates per forwarded request: active requests,
    /// duration, each pooled connection going active and idle) repeats what <c>gateway_destination_*</c> and
    /// <c>gateway_proxy_upstream_duration_seconds</c> say per destination and cost 4 us per request with routing's
    /// (README, Performance); <c>Gateway:Metrics:HttpClientMeters</c> brings it back.
    /// </summary>
    private static void AddOpenTelemetry(WebApplicationBuilder builder)
    {
        var serviceName = builder.Configuration[ServiceNameKey] is { Length: > 0 } name ? name : "gateway";
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithMetrics(metrics =>
            {
                metrics
                    .AddMeter(GatewayMetrics.MeterName)
                    .AddInstrumentation(sp => sp.GetRequiredService<DestinationMetrics>())
                    .AddMeter(AspNetCoreMeters)
                    .AddMeter("System.Net.NameResolution")
                    .AddPrometheusExporter();
                // Read when the provider is built (the host's start, after the configuration check has refused a
                // value that does not bind), so that every configuration source, a test host's too, has a say.
                ((IDeferredMeterProviderBuilder)metrics).Configure((services, deferred) =>
                {
                    if (services.GetRequiredService<IOptions<GatewayOptions>>().Value.Metrics.HttpClientMeters)
                    {
                        deferred.AddHttpClientInstrumentation();
                    }
                });
            });

        // No tracer provider at all without an endpoint: no listener, so ASP.NET Core and HttpClient create no spans.
        if (!string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointKey]))
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(YarpActivitySource)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddOtlpExporter());
        }
    }

    private static void AddSerilog(WebApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        builder.Services.AddSerilog(
            (services, logger) =>
            {
                logger
                    .ReadFrom.Configuration(services.GetRequiredService<IConfiguration>())
                    .ReadFrom.Services(services)
                    // Serilog ignores Microsoft.Extensions.Logging filters, so the hot-path default is repeated here:
                    // with this category off, ASP.NET Core starts no Activity and no log scope per request.
                    .MinimumLevel.Override(Proxy.HotPathDefaults.HostingDiagnosticsCategory, Serilog.Events.LevelAlias.Off);
                WriteToLaterProviders(services, logger);
            },
            preserveStaticLogger: true,
            writeToProviders: false);
    }

    /// <summary>
    /// Serilog replaced the default providers; one registered later (by a host or a test) still gets every event
    /// through Serilog, which applies its own minimum levels to it as well. Only when there is one: Serilog's
    /// <c>writeToProviders</c> adds a sink that costs every event, the access log's included, two property
    /// look-ups and an allocation even with no provider to call (README, Performance).
    /// </summary>
    private static void WriteToLaterProviders(IServiceProvider services, LoggerConfiguration logger)
    {
        var providers = services.GetServices<ILoggerProvider>().ToArray();
        if (providers.Length == 0)
        {
            return;
        }

        var collection = new LoggerProviderCollection();
        foreach (var provider in providers)
        {
            collection.AddProvider(provider);
        }

        logger.WriteTo.Providers(collection);
    }
}
