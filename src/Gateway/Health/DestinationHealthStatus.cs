using Yarp.ReverseProxy.Model;

namespace Gateway.Health;

/// <summary>
/// A destination's <c>health</c> as the admin API shows it: <c>down</c> when an enabled check has taken it
/// out of service, <c>up</c> when checks run and it is in service, <c>unknown</c> when no check runs or the
/// active check has not probed it yet.
/// </summary>
public static class DestinationHealthStatus
{
    public const string Up = "up";
    public const string Down = "down";
    public const string Unknown = "unknown";

    public static string Of(ClusterState cluster, DestinationState destination)
    {
        if (!HealthTransitions.IsInService(cluster, destination))
        {
            return Down;
        }

        var config = cluster.Model.Config.HealthCheck;
        if (config?.Active?.Enabled ?? false)
        {
            return destination.Health.Active == DestinationHealth.Healthy ? Up : Unknown;
        }

        return (config?.Passive?.Enabled ?? false) ? Up : Unknown;
    }
}
