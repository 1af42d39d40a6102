using System.Diagnostics;
using Gateway.Health;

namespace Gateway.Tests.Health;

public sealed class ProbeDurationsTests
{
    [Fact]
    public void Take_AfterYarpProbeActivity_ReturnsItsDurationOnce()
    {
        using var durations = new ProbeDurations();
        using var source = new ActivitySource(ProbeDurations.ActivitySourceName);
        var clusterId = $"c-{Guid.NewGuid():N}";

        // What YARP's ActiveHealthCheckMonitor does around each probe.
        using (var activity = source.StartActivity(ProbeDurations.ProbeActivityName, ActivityKind.Client))
        {
            Assert.NotNull(activity);
            activity.AddTag("proxy.cluster_id", clusterId);
            activity.AddTag("proxy.destination_id", "web1");
            Thread.Sleep(20);
        }

        Assert.InRange(durations.Take(clusterId, "web1")!.Value, 15, 5_000);
        Assert.Null(durations.Take(clusterId, "web1"));
    }
}
