using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using Gateway.Admin;
using Gateway.Observability;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;

namespace Gateway.Tests.Observability;

public sealed class DestinationMetricsTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly DestinationAdminStates _adminStates = new();
    private readonly ClusterState _cluster = new("web", new ClusterModel(
        new Yarp.ReverseProxy.Configuration.ClusterConfig
        {
            ClusterId = "web",
            HealthCheck = new() { Active = new() { Enabled = true } },
        },
        new HttpMessageInvoker(new SocketsHttpHandler())));

    public DestinationMetricsTests()
    {
        DestinationState[] destinations = [new("a"), new("b")];
        _cluster.DestinationsState = new ClusterDestinationsState(destinations, destinations);
    }

    private IMeterFactory MeterFactory => _services.GetRequiredService<IMeterFactory>();

    [Fact]
    public void HealthGauge_OneDestinationDown_OneSeriesPerStateWithOnlyTheCurrentAtOne()
    {
        _ = new DestinationMetrics(MeterFactory, new Lookup(_cluster), _adminStates, new Gateway.Reliability.DestinationQueues(new Lookup(_cluster)));
        using var health = new MetricCollector<int>(MeterFactory, GatewayMetrics.MeterName, "gateway.destination.health");
        _cluster.DestinationsState.AllDestinations[0].Health.Active = DestinationHealth.Unhealthy;

        health.RecordObservableInstruments();

        var series = Series(health);
        Assert.Equal(6, series.Count);
        Assert.Equal(1, series[("a", "down")]);
        Assert.Equal(0, series[("a", "up")]);
        Assert.Equal(0, series[("a", "unknown")]);
        Assert.Equal(1, series[("b", "unknown")]);
    }

    [Fact]
    public void AdminStateGauge_Drained_DrainAtOneReadyAtZero()
    {
        _ = new DestinationMetrics(MeterFactory, new Lookup(_cluster), _adminStates, new Gateway.Reliability.DestinationQueues(new Lookup(_cluster)));
        using var admin = new MetricCollector<int>(MeterFactory, GatewayMetrics.MeterName, "gateway.destination.admin_state");
        _adminStates.Set("web", "b", AdminState.Drain);
        _adminStates.Set("web", "a", AdminState.Maint);

        admin.RecordObservableInstruments();

        var series = Series(admin);
        Assert.Equal(1, series[("b", "drain")]);
        Assert.Equal(0, series[("b", "ready")]);
        Assert.Equal(1, series[("a", "maint")]);
        Assert.Equal(0, series[("a", "drain")]);
    }

    private static Dictionary<(string Destination, string State), int> Series(MetricCollector<int> collector)
        => collector.GetMeasurementSnapshot().ToDictionary(
            m => ((string)m.Tags[GatewayMetrics.DestinationTag]!, (string)m.Tags[DestinationMetrics.StateTag]!),
            m => m.Value);

    public void Dispose() => _services.Dispose();

    private sealed class Lookup(params ClusterState[] clusters) : IProxyStateLookup
    {
        public bool TryGetRoute(string id, [NotNullWhen(true)] out RouteModel? route) => throw new NotSupportedException();

        public IEnumerable<RouteModel> GetRoutes() => [];

        public bool TryGetCluster(string id, [NotNullWhen(true)] out ClusterState? cluster)
        {
            cluster = clusters.FirstOrDefault(c => c.ClusterId == id);
            return cluster is not null;
        }

        public IEnumerable<ClusterState> GetClusters() => clusters;
    }
}
