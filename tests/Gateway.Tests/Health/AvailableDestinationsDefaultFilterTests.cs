using Gateway.Health;
using Yarp.ReverseProxy.Configuration;

namespace Gateway.Tests.Health;

public sealed class AvailableDestinationsDefaultFilterTests
{
    [Fact]
    public async Task ConfigureCluster_NoPolicy_HealthyAndUnknownKeepingTheRest()
    {
        var cluster = new ClusterConfig
        {
            ClusterId = "web",
            HealthCheck = new HealthCheckConfig { Active = new ActiveHealthCheckConfig { Enabled = true, Policy = "RiseFall" } },
        };

        var filtered = await new AvailableDestinationsDefaultFilter().ConfigureClusterAsync(cluster, CancellationToken.None);

        Assert.Equal("HealthyAndUnknown", filtered.HealthCheck!.AvailableDestinationsPolicy);
        Assert.Equal("RiseFall", filtered.HealthCheck.Active!.Policy);
    }

    [Fact]
    public async Task ConfigureCluster_NoHealthCheckAtAll_HealthyAndUnknown()
    {
        var filtered = await new AvailableDestinationsDefaultFilter().ConfigureClusterAsync(new ClusterConfig { ClusterId = "web" }, CancellationToken.None);

        Assert.Equal("HealthyAndUnknown", filtered.HealthCheck!.AvailableDestinationsPolicy);
    }

    [Fact]
    public async Task ConfigureCluster_HealthyOrPanicOptIn_Kept()
    {
        var cluster = new ClusterConfig { ClusterId = "web", HealthCheck = new HealthCheckConfig { AvailableDestinationsPolicy = "HealthyOrPanic" } };

        var filtered = await new AvailableDestinationsDefaultFilter().ConfigureClusterAsync(cluster, CancellationToken.None);

        Assert.Same(cluster, filtered);
    }
}
