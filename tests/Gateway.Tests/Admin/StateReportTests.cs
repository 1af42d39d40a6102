using Gateway.Admin;
using Yarp.ReverseProxy.Model;

namespace Gateway.Tests.Admin;

public sealed class StateReportTests
{
    [Theory]
    [InlineData(DestinationHealth.Unknown, DestinationHealth.Unknown, "unknown")]
    [InlineData(DestinationHealth.Healthy, DestinationHealth.Unknown, "up")]
    [InlineData(DestinationHealth.Unknown, DestinationHealth.Healthy, "up")]
    [InlineData(DestinationHealth.Unhealthy, DestinationHealth.Unknown, "down")]
    [InlineData(DestinationHealth.Healthy, DestinationHealth.Unhealthy, "down")]
    [InlineData(DestinationHealth.Unhealthy, DestinationHealth.Healthy, "down")]
    public void HealthOf_ActiveAndPassive_DownWinsThenUp(DestinationHealth active, DestinationHealth passive, string expected)
    {
        var destination = new DestinationState("a");
        destination.Health.Active = active;
        destination.Health.Passive = passive;

        Assert.Equal(expected, StateReport.HealthOf(destination));
    }
}
