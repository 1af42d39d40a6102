using System.Net.Sockets;
using Gateway.Admin;
using Gateway.Health;
using Yarp.ReverseProxy.Model;

namespace Gateway.Tests.Health;

public sealed class RiseFallHealthPolicyTests
{
    private static readonly Exception s_refused = new HttpRequestException(HttpRequestError.ConnectionError, "refused", new SocketException((int)SocketError.ConnectionRefused));

    [Fact]
    public void ProbingCompleted_FirstGoodProbe_HealthyWithoutTransition()
    {
        var context = new HealthTestContext();
        var policy = context.CreateRiseFall();

        context.Probe(policy, ("web1", 200), ("web2", 200));

        Assert.Equal(DestinationHealth.Healthy, context["web1"].Health.Active);
        Assert.Empty(context.HealthLog.GetTransitions("web", "web1"));
        Assert.Equal(["web1", "web2"], context.Available);
    }

    [Fact]
    public void ProbingCompleted_OneFailedProbe_StaysInService()
    {
        var context = new HealthTestContext();
        var policy = context.CreateRiseFall();

        context.Probe(policy, ("web1", 503), ("web2", 200));
        context.Probe(policy, ("web1", 200), ("web2", 200));

        Assert.Equal(["web1", "web2"], context.Available);
        Assert.Empty(context.HealthLog.GetTransitions("web", "web1"));
        Assert.Equal(0, context.Updater.Updates);
    }

    [Fact]
    public void ProbingCompleted_FallFailures_DownWithOneTransitionAndReason()
    {
        var context = new HealthTestContext();
        var policy = context.CreateRiseFall();

        for (var i = 0; i < 3; i++)
        {
            context.Probe(policy, ("web1", 503), ("web2", 200));
        }

        Assert.Equal(DestinationHealth.Unhealthy, context["web1"].Health.Active);
        Assert.Equal(["web2"], context.Available);
        var transition = Assert.Single(context.HealthLog.GetTransitions("web", "web1"));
        Assert.Equal(("DOWN", "status 503"), (transition.Direction, transition.Reason));
        Assert.Equal(1, context.Updater.Updates);
    }

    [Fact]
    public void ProbingCompleted_MoreFailuresWhileDown_NoMoreTransitions()
    {
        var context = new HealthTestContext();
        var policy = context.CreateRiseFall();

        for (var i = 0; i < 10; i++)
        {
            context.Probe(policy, ("web1", s_refused));
        }

        var transition = Assert.Single(context.HealthLog.GetTransitions("web", "web1"));
        Assert.Equal("connection refused", transition.Reason);
    }

    [Fact]
    public void ProbingCompleted_RiseGoodProbesAfterDown_UpAgain()
    {
        var context = new HealthTestContext(metadata: new() { ["RiseFall.Rise"] = "3", ["RiseFall.Fall"] = "2" });
        var policy = context.CreateRiseFall();
        context.Probe(policy, ("web1", 500));
        context.Probe(policy, ("web1", 500));

        context.Probe(policy, ("web1", 200));
        context.Probe(policy, ("web1", 200));
        Assert.Equal(["web2"], context.Available);
        context.Probe(policy, ("web1", 200));

        Assert.Equal(["web1", "web2"], context.Available);
        Assert.Equal(DestinationHealth.Healthy, context["web1"].Health.Active);
        Assert.Equal(["DOWN", "UP"], context.HealthLog.GetTransitions("web", "web1").Select(t => t.Direction));
        Assert.Equal("status 200", context.HealthLog.GetTransitions("web", "web1")[1].Reason);
    }

    [Fact]
    public void ProbingCompleted_StatusOutsideExpectedSet_CountsAsFailure()
    {
        var context = new HealthTestContext(metadata: new() { ["RiseFall.ExpectedStatus"] = "200", ["RiseFall.Fall"] = "1" });
        var policy = context.CreateRiseFall();

        context.Probe(policy, ("web1", 302));

        Assert.Equal("status 302", Assert.Single(context.HealthLog.GetTransitions("web", "web1")).Reason);
    }

    [Fact]
    public void ProbingCompleted_EveryProbe_RecordedAsLastCheckWithDuration()
    {
        var context = new HealthTestContext();
        var policy = context.CreateRiseFall();
        context.Durations.Record("web", "web1", 3.5);

        context.Probe(policy, ("web1", 200), ("web2", new TaskCanceledException()));

        var web1 = context.HealthLog.GetLastCheck("web", "web1")!;
        Assert.Equal((true, 200, 3.5, (string?)null), (web1.Ok, web1.Status, web1.DurationMs, web1.Error));
        Assert.Equal(context.Time.GetUtcNow(), web1.At);
        var web2 = context.HealthLog.GetLastCheck("web", "web2")!;
        Assert.Equal((false, (int?)null, "timeout after 1000 ms"), (web2.Ok, web2.Status, web2.Error));
    }

    [Fact]
    public void ProbingCompleted_DestinationInMaintenance_ProbesIgnoredAndNoTransition()
    {
        var context = new HealthTestContext();
        var policy = context.CreateRiseFall();
        context.Probe(policy, ("web1", 200));
        context.AdminStates.Set("web", "web1", AdminState.Maint);

        for (var i = 0; i < 5; i++)
        {
            context.Probe(policy, ("web1", 503));
        }

        Assert.Equal(DestinationHealth.Healthy, context["web1"].Health.Active);
        Assert.Empty(context.HealthLog.GetTransitions("web", "web1"));
        Assert.True(context.HealthLog.GetLastCheck("web", "web1")!.Ok);
    }

    [Fact]
    public void ProbingCompleted_LeavingMaintenance_PartialCountFromBeforeForgotten()
    {
        var context = new HealthTestContext();
        var policy = context.CreateRiseFall();
        context.Probe(policy, ("web1", 503));
        context.Probe(policy, ("web1", 503));
        context.AdminStates.Set("web", "web1", AdminState.Maint);
        context.Probe(policy, ("web1", 503));
        context.AdminStates.Set("web", "web1", AdminState.Ready);

        context.Probe(policy, ("web1", 503));
        context.Probe(policy, ("web1", 503));
        Assert.Equal(["web1", "web2"], context.Available);
        context.Probe(policy, ("web1", 503));

        Assert.Equal(["web2"], context.Available);
    }

    [Fact]
    public void ProbingCompleted_DownDestinationInMaintenance_StaysDownWhateverTheProbes()
    {
        var context = new HealthTestContext(metadata: new() { ["RiseFall.Fall"] = "1", ["RiseFall.Rise"] = "1" });
        var policy = context.CreateRiseFall();
        context.Probe(policy, ("web1", 503));
        context.AdminStates.Set("web", "web1", AdminState.Maint);

        context.Probe(policy, ("web1", 200));

        Assert.Equal(DestinationHealth.Unhealthy, context["web1"].Health.Active);
        Assert.Single(context.HealthLog.GetTransitions("web", "web1"));
    }

    [Fact]
    public void ProbingCompleted_AllDown_NothingAvailable()
    {
        var context = new HealthTestContext(metadata: new() { ["RiseFall.Fall"] = "1" });
        var policy = context.CreateRiseFall();

        context.Probe(policy, ("web1", s_refused), ("web2", 500));

        Assert.Empty(context.Available);
    }

    [Fact]
    public void ProbingCompleted_DestinationAlreadyUnhealthy_NeedsRiseGoodProbes()
    {
        var context = new HealthTestContext();
        context["web1"].Health.Active = DestinationHealth.Unhealthy;
        context.Updater.UpdateAvailableDestinations(context.Cluster);
        var policy = context.CreateRiseFall();

        context.Probe(policy, ("web1", 200));
        Assert.Equal(["web2"], context.Available);
        context.Probe(policy, ("web1", 200));

        Assert.Equal(["web1", "web2"], context.Available);
    }

    [Fact]
    public void ProbingCompleted_ComesUpWithSlowStart_RampBegins()
    {
        var context = new HealthTestContext(metadata: new() { ["RiseFall.Fall"] = "1", ["RiseFall.Rise"] = "1", ["RiseFall.SlowStart"] = "00:00:20" });
        var policy = context.CreateRiseFall();
        context.Probe(policy, ("web1", 503));
        var before = context.SlowStart.GetVersion(context.Cluster);

        context.Probe(policy, ("web1", 200));

        Assert.NotEqual(before, context.SlowStart.GetVersion(context.Cluster));
        Assert.Equal(1, context.SlowStart.GetWeight(context.Cluster, context["web1"]));
        Assert.Equal(20, context.SlowStart.GetWeight(context.Cluster, context["web2"]));
    }
}
