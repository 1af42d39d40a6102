using Gateway.Health;
using Yarp.ReverseProxy.Model;

namespace Gateway.Tests.Health;

public sealed class DestinationHealthStatusTests
{
    [Fact]
    public void Of_ActiveCheckNotYetProbed_Unknown()
    {
        var context = new HealthTestContext();

        Assert.Equal("unknown", DestinationHealthStatus.Of(context.Cluster, context["web1"]));
    }

    [Fact]
    public void Of_ActiveHealthy_Up()
    {
        var context = new HealthTestContext();
        context["web1"].Health.Active = DestinationHealth.Healthy;

        Assert.Equal("up", DestinationHealthStatus.Of(context.Cluster, context["web1"]));
    }

    [Fact]
    public void Of_ActiveUnhealthy_Down()
    {
        var context = new HealthTestContext();
        context["web1"].Health.Active = DestinationHealth.Unhealthy;

        Assert.Equal("down", DestinationHealthStatus.Of(context.Cluster, context["web1"]));
    }

    [Fact]
    public void Of_EjectedWhileProbesPass_Down()
    {
        var context = new HealthTestContext(passive: true);
        context["web1"].Health.Active = DestinationHealth.Healthy;
        context["web1"].Health.Passive = DestinationHealth.Unhealthy;

        Assert.Equal("down", DestinationHealthStatus.Of(context.Cluster, context["web1"]));
    }

    [Fact]
    public void Of_PassiveOnlyInService_Up()
    {
        var context = new HealthTestContext(active: false, passive: true);

        Assert.Equal("up", DestinationHealthStatus.Of(context.Cluster, context["web1"]));
    }

    [Fact]
    public void Of_NoChecks_UnknownWhateverTheStaleFlags()
    {
        var context = new HealthTestContext(active: false);
        context["web1"].Health.Active = DestinationHealth.Unhealthy;

        Assert.Equal("unknown", DestinationHealthStatus.Of(context.Cluster, context["web1"]));
    }
}
