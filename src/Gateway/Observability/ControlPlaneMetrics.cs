using Gateway.Configuration;
using Gateway.Health;

namespace Gateway.Observability;

/// <summary>
/// Counts what the control plane reports as events: health transitions and configuration reloads.
/// A hosted service, so it listens from start-up to shutdown: the initial configuration is applied before
/// it starts, so only reloads are counted.
/// </summary>
internal sealed class ControlPlaneMetrics : IHostedService
{
    private readonly GatewayMetrics _metrics;
    private readonly DestinationHealthLog _healthLog;
    private readonly ConfigurationTracker _configuration;

    public ControlPlaneMetrics(GatewayMetrics metrics, DestinationHealthLog healthLog, ConfigurationTracker configuration)
    {
        _metrics = metrics;
        _healthLog = healthLog;
        _configuration = configuration;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _healthLog.TransitionRecorded += OnTransition;
        _configuration.Applied += OnApplied;
        _configuration.RejectedReload += OnRejected;
        _metrics.PublishConfigurationReloads();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _healthLog.TransitionRecorded -= OnTransition;
        _configuration.Applied -= OnApplied;
        _configuration.RejectedReload -= OnRejected;
        return Task.CompletedTask;
    }

    private void OnTransition(string clusterId, string destinationId, HealthTransition transition)
        => _metrics.HealthTransition(clusterId, destinationId, string.Equals(transition.Direction, "UP", StringComparison.OrdinalIgnoreCase));

    private void OnApplied(ConfigurationRevision revision) => _metrics.ConfigurationReload(applied: true);

    private void OnRejected(IReadOnlyList<string> errors) => _metrics.ConfigurationReload(applied: false);
}
