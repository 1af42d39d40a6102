using Gateway.Proxy;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Configuration;

namespace Gateway.Demo;

/// <summary>
/// Serves the demo route and cluster from memory, never from a file, so no other configuration can
/// inherit them. They apply only while the demo backends run and the configuration defines no routes of
/// its own: as soon as an operator adds a route, the demo steps aside.
/// </summary>
internal sealed class DemoConfigProvider : IProxyConfigProvider, IDisposable
{
    public const string RouteId = "demo";
    public const string ClusterId = "demo";

    private readonly IConfiguration _configuration;
    private readonly IDisposable _reloadRegistration;
    private readonly Lock _lock = new();
    private string[] _backends = [];
    private Snapshot _snapshot;

    public DemoConfigProvider(IConfiguration configuration)
    {
        _configuration = configuration;
        _snapshot = new Snapshot([], []);
        _reloadRegistration = ChangeToken.OnChange(configuration.GetReloadToken, Refresh);
    }

    public IProxyConfig GetConfig() => _snapshot;

    public void SetBackends(string[] addresses)
    {
        _backends = addresses;
        Refresh();
    }

    private void Refresh()
    {
        var active = _backends.Length > 0 && !_configuration.GetSection($"{ProxyExtensions.SectionName}:Routes").GetChildren().Any();
        Snapshot previous;
        lock (_lock)
        {
            if (active == _snapshot.Routes.Count > 0)
            {
                return;
            }

            previous = _snapshot;
            _snapshot = active ? Build(_backends) : new Snapshot([], []);
        }

        previous.SignalChange();
    }

    private static Snapshot Build(string[] backends) => new(
        [
            new RouteConfig
            {
                RouteId = RouteId,
                ClusterId = ClusterId,
                Order = int.MaxValue,
                Match = new RouteMatch { Path = "/{**catch-all}" },
            },
        ],
        [
            new ClusterConfig
            {
                ClusterId = ClusterId,
                LoadBalancingPolicy = "RoundRobin",
                // The gateway's own checks, so that a newcomer's dashboard shows them at work.
                HealthCheck = new HealthCheckConfig
                {
                    Active = new ActiveHealthCheckConfig
                    {
                        Enabled = true,
                        Interval = TimeSpan.FromSeconds(5),
                        Timeout = TimeSpan.FromSeconds(1),
                        Policy = "RiseFall",
                        Path = "/health",
                    },
                },
                Destinations = backends
                    .Select((address, i) => (Id: $"demo-{i + 1}", Config: new DestinationConfig { Address = address }))
                    .ToDictionary(d => d.Id, d => d.Config),
            },
        ]);

    public void Dispose() => _reloadRegistration.Dispose();

    private sealed class Snapshot(IReadOnlyList<RouteConfig> routes, IReadOnlyList<ClusterConfig> clusters) : IProxyConfig
    {
        private readonly CancellationTokenSource _changed = new();

        public IReadOnlyList<RouteConfig> Routes { get; } = routes;

        public IReadOnlyList<ClusterConfig> Clusters { get; } = clusters;

        public IChangeToken ChangeToken => new CancellationChangeToken(_changed.Token);

        public void SignalChange() => _changed.Cancel();
    }
}
