using Gateway.Admin;
using OpenTelemetry.Metrics;

namespace Gateway.Observability;

/// <summary>
/// <c>GET /metrics</c> on the admin listener, in Prometheus text format. The admin listener is a server with a
/// container of its own, so the exporter's middleware is given the gateway's <see cref="MeterProvider"/>
/// explicitly (with an explicit path, it reads no options from the admin container either).
/// </summary>
internal sealed class PrometheusMetricsEndpoint(MeterProvider meterProvider) : IAdminEndpointSource
{
    public const string Path = "/metrics";

    public void MapEndpoints(IEndpointRouteBuilder endpoints)
        => endpoints.MapPrometheusScrapingEndpoint(Path, meterProvider, configureBranchedPipeline: null, optionsName: null)
            .WithMetadata(new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head]));
}
