using System.Diagnostics.Metrics;
using Gateway.Observability;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Gateway.Tests.Observability;

public sealed class GatewayMetricsTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    private IMeterFactory MeterFactory => _services.GetRequiredService<IMeterFactory>();

    [Theory]
    [InlineData(101, "1xx")]
    [InlineData(200, "2xx")]
    [InlineData(304, "3xx")]
    [InlineData(429, "4xx")]
    [InlineData(503, "5xx")]
    [InlineData(0, "other")]
    [InlineData(600, "other")]
    public void RequestStop_StatusCode_TaggedWithItsClass(int statusCode, string statusClass)
    {
        var metrics = new GatewayMetrics(MeterFactory);
        using var requests = Collect<long>("gateway.proxy.requests");

        metrics.RequestStop(metrics.RequestStart("r", "c"), "d", statusCode);

        var measurement = Assert.Single(requests.GetMeasurementSnapshot());
        Assert.Equal(1, measurement.Value);
        Assert.Equal("r", measurement.Tags[GatewayMetrics.RouteTag]);
        Assert.Equal("c", measurement.Tags[GatewayMetrics.ClusterTag]);
        Assert.Equal("d", measurement.Tags[GatewayMetrics.DestinationTag]);
        Assert.Equal(statusClass, measurement.Tags[GatewayMetrics.StatusClassTag]);
    }

    [Fact]
    public void RequestStop_NoDestination_TaggedWithEmptyDestination()
    {
        var metrics = new GatewayMetrics(MeterFactory);
        using var requests = Collect<long>("gateway.proxy.requests");

        metrics.RequestStop(metrics.RequestStart("r", "c"), destinationId: null, 503);

        Assert.Equal(string.Empty, Assert.Single(requests.GetMeasurementSnapshot()).Tags[GatewayMetrics.DestinationTag]);
    }

    [Fact]
    public void RequestStartThenStop_ActiveRequests_ObservedPerRouteAndCluster()
    {
        var metrics = new GatewayMetrics(MeterFactory);
        using var active = Collect<long>("gateway.proxy.active_requests");

        var first = metrics.RequestStart("r", "c");
        metrics.RequestStart("r", "c");
        metrics.RequestStart("other", "c");
        metrics.RequestStop(first, "d", 200);

        active.RecordObservableInstruments();
        var measurements = active.GetMeasurementSnapshot();
        Assert.Equal(1, measurements.Single(m => Equals(m.Tags[GatewayMetrics.RouteTag], "r")).Value);
        Assert.Equal(1, measurements.Single(m => Equals(m.Tags[GatewayMetrics.RouteTag], "other")).Value);
        Assert.All(measurements, m => Assert.Equal(["cluster", "route"], m.Tags.Keys.Order()));
    }

    [Fact]
    public void UpstreamResponded_Duration_RecordedInSeconds()
    {
        var metrics = new GatewayMetrics(MeterFactory);
        using var duration = Collect<double>("gateway.proxy.upstream.duration");

        metrics.UpstreamResponded("c", "d", TimeSpan.FromMilliseconds(250));

        var measurement = Assert.Single(duration.GetMeasurementSnapshot());
        Assert.Equal(0.25, measurement.Value, precision: 9);
        Assert.Equal("d", measurement.Tags[GatewayMetrics.DestinationTag]);
        Assert.Equal("s", duration.Instrument!.Unit);
    }

    [Fact]
    public void HealthTransition_Direction_TaggedUpOrDown()
    {
        var metrics = new GatewayMetrics(MeterFactory);
        using var transitions = Collect<long>("gateway.health.transitions");

        metrics.HealthTransition("c", "d", up: false);
        metrics.HealthTransition("c", "d", up: true);

        Assert.Equal(["down", "up"], transitions.GetMeasurementSnapshot().Select(m => m.Tags[GatewayMetrics.DirectionTag]));
    }

    [Fact]
    public void ConfigurationReload_AppliedAndRejected_TaggedByResult()
    {
        var metrics = new GatewayMetrics(MeterFactory);
        using var reloads = Collect<long>("gateway.config.reloads");

        metrics.PublishConfigurationReloads();
        metrics.ConfigurationReload(applied: true);
        metrics.ConfigurationReload(applied: false);

        Assert.Equal(
            [(0L, "applied"), (0L, "rejected"), (1L, "applied"), (1L, "rejected")],
            reloads.GetMeasurementSnapshot().Select(m => (m.Value, (string?)m.Tags[GatewayMetrics.ResultTag])));
    }

    private MetricCollector<T> Collect<T>(string instrument)
        where T : struct
        => new(MeterFactory, GatewayMetrics.MeterName, instrument);

    public void Dispose() => _services.Dispose();
}
