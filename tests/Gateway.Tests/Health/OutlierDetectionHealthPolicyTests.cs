using Gateway.Admin;
using Gateway.Health;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Gateway.Tests.Health;

public sealed class OutlierDetectionHealthPolicyTests
{
    [Fact]
    public void RequestProxied_FourOf5xx_NotEjected()
    {
        var context = PassiveContext();
        var policy = context.CreateOutlierDetection();

        Fail(policy, context, "web1", 4);

        Assert.False(policy.IsEjected(context["web1"]));
        Assert.Equal(["web1", "web2"], context.Available);
    }

    [Fact]
    public void RequestProxied_ConsecutiveFailures5xx_EjectedWithTransition()
    {
        var context = PassiveContext();
        var policy = context.CreateOutlierDetection();

        Fail(policy, context, "web1", 5, status: 502);

        Assert.True(policy.IsEjected(context["web1"]));
        Assert.Equal(DestinationHealth.Unhealthy, context["web1"].Health.Passive);
        Assert.Equal(["web2"], context.Available);
        var transition = Assert.Single(context.HealthLog.GetTransitions("web", "web1"));
        Assert.Equal("DOWN", transition.Direction);
        Assert.Equal("ejected for 30 s after 5 consecutive failures (status 502)", transition.Reason);
    }

    [Fact]
    public void RequestProxied_SuccessInBetween_RestartsCount()
    {
        var context = PassiveContext();
        var policy = context.CreateOutlierDetection();

        Fail(policy, context, "web1", 4);
        policy.RequestProxied(Response(200), context.Cluster, context["web1"]);
        Fail(policy, context, "web1", 4);

        Assert.False(policy.IsEjected(context["web1"]));
    }

    [Fact]
    public void RequestProxied_TransportFailures_Count()
    {
        var context = PassiveContext();
        var policy = context.CreateOutlierDetection();

        for (var i = 0; i < 5; i++)
        {
            policy.RequestProxied(Response(502, ForwarderError.Request, new HttpRequestException(HttpRequestError.ConnectionError, "refused",
                new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused))), context.Cluster, context["web1"]);
        }

        Assert.True(policy.IsEjected(context["web1"]));
        Assert.EndsWith("(connection refused)", context.HealthLog.GetTransitions("web", "web1")[0].Reason);
    }

    [Fact]
    public void RequestProxied_UpstreamTimeouts_Count()
    {
        var context = PassiveContext();
        var policy = context.CreateOutlierDetection();

        for (var i = 0; i < 5; i++)
        {
            policy.RequestProxied(Response(504, ForwarderError.RequestTimedOut), context.Cluster, context["web1"]);
        }

        Assert.True(policy.IsEjected(context["web1"]));
    }

    [Theory]
    [InlineData(ForwarderError.RequestCanceled)]
    [InlineData(ForwarderError.RequestBodyClient)]
    [InlineData(ForwarderError.ResponseBodyClient)]
    [InlineData(ForwarderError.ResponseBodyCanceled)]
    [InlineData(ForwarderError.NoAvailableDestinations)]
    public void RequestProxied_ClientSideOrGatewayErrors_NeverCount(ForwarderError error)
    {
        var context = PassiveContext();
        var policy = context.CreateOutlierDetection();

        for (var i = 0; i < 20; i++)
        {
            policy.RequestProxied(Response(502, error), context.Cluster, context["web1"]);
        }

        Assert.False(policy.IsEjected(context["web1"]));
    }

    [Fact]
    public void RequestProxied_ClientAborted_NeverCountsNorResets()
    {
        var context = PassiveContext();
        var policy = context.CreateOutlierDetection();
        Fail(policy, context, "web1", 4);

        for (var i = 0; i < 10; i++)
        {
            var aborted = Response(500);
            using var cancelled = new CancellationTokenSource();
            cancelled.Cancel();
            aborted.RequestAborted = cancelled.Token;
            policy.RequestProxied(aborted, context.Cluster, context["web1"]);
        }

        Assert.False(policy.IsEjected(context["web1"]));
        Fail(policy, context, "web1", 1);
        Assert.True(policy.IsEjected(context["web1"]));
    }

    [Fact]
    public void Ejection_PeriodOver_BackInServiceWithCountReset()
    {
        var context = PassiveContext();
        var policy = context.CreateOutlierDetection();
        Fail(policy, context, "web1", 5);

        context.Time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(["web2"], context.Available);
        context.Time.Advance(TimeSpan.FromSeconds(1));

        Assert.False(policy.IsEjected(context["web1"]));
        Assert.Equal(["web1", "web2"], context.Available);
        Assert.Equal(["DOWN", "UP"], context.HealthLog.GetTransitions("web", "web1").Select(t => t.Direction));
        Fail(policy, context, "web1", 4);
        Assert.False(policy.IsEjected(context["web1"]));
    }

    [Fact]
    public void Ejection_Repeated_PeriodDoublesUpToTenTimesBase()
    {
        var context = PassiveContext(reactivation: TimeSpan.FromSeconds(10));
        var policy = context.CreateOutlierDetection();
        var periods = new List<int>();

        for (var round = 0; round < 6; round++)
        {
            Fail(policy, context, "web1", 5);
            periods.Add(SecondsUntilBack(context, policy, "web1"));
        }

        Assert.Equal([10, 20, 40, 80, 100, 100], periods);
    }

    [Fact]
    public void Ejection_LongGoodSpellAfterReturn_BackToBasePeriod()
    {
        var context = PassiveContext(reactivation: TimeSpan.FromSeconds(10));
        var policy = context.CreateOutlierDetection();
        Fail(policy, context, "web1", 5);
        SecondsUntilBack(context, policy, "web1");
        Fail(policy, context, "web1", 5);
        Assert.Equal(20, SecondsUntilBack(context, policy, "web1"));

        context.Time.Advance(TimeSpan.FromSeconds(20));
        Fail(policy, context, "web1", 5);

        Assert.Equal(10, SecondsUntilBack(context, policy, "web1"));
    }

    [Fact]
    public void Ejection_AboveMaxEjectionPercent_DoesNotHappen()
    {
        var context = PassiveContext(destinations: 4);
        var policy = context.CreateOutlierDetection();

        Fail(policy, context, "web1", 5);
        Fail(policy, context, "web2", 5);
        Fail(policy, context, "web3", 5);

        Assert.True(policy.IsEjected(context["web1"]));
        Assert.True(policy.IsEjected(context["web2"]));
        Assert.False(policy.IsEjected(context["web3"]));
        Assert.Equal(["web3", "web4"], context.Available);
    }

    [Fact]
    public void Ejection_SingleDestinationCluster_NeverEjectedAtDefaultPercent()
    {
        var context = PassiveContext(destinations: 1);
        var policy = context.CreateOutlierDetection();

        Fail(policy, context, "web1", 50);

        Assert.False(policy.IsEjected(context["web1"]));
    }

    [Fact]
    public void Ejection_MaxEjectionPercent100_AllCanGo()
    {
        var context = PassiveContext(metadata: new() { ["OutlierDetection.MaxEjectionPercent"] = "100", ["OutlierDetection.ConsecutiveFailures"] = "2" });
        var policy = context.CreateOutlierDetection();

        Fail(policy, context, "web1", 2);
        Fail(policy, context, "web2", 2);

        Assert.Empty(context.Available);
    }

    [Fact]
    public void Ejection_InMaintenance_DoesNotHappen()
    {
        var context = PassiveContext();
        var policy = context.CreateOutlierDetection();
        context.AdminStates.Set("web", "web1", AdminState.Maint);

        Fail(policy, context, "web1", 10);

        Assert.False(policy.IsEjected(context["web1"]));
        Assert.Empty(context.HealthLog.GetTransitions("web", "web1"));
    }

    [Fact]
    public void Ejection_PeriodEndsDuringMaintenance_StaysOutUntilAPeriodEndsAfterIt()
    {
        var context = PassiveContext();
        var policy = context.CreateOutlierDetection();
        Fail(policy, context, "web1", 5);
        context.AdminStates.Set("web", "web1", AdminState.Maint);

        context.Time.Advance(TimeSpan.FromSeconds(30));
        Assert.True(policy.IsEjected(context["web1"]));
        Assert.Single(context.HealthLog.GetTransitions("web", "web1"));
        context.AdminStates.Set("web", "web1", AdminState.Ready);
        context.Time.Advance(TimeSpan.FromSeconds(30));

        Assert.False(policy.IsEjected(context["web1"]));
    }

    [Fact]
    public void Ejection_WhileActivelyDown_NoSecondDownTransition()
    {
        var context = PassiveContext(active: true);
        var policy = context.CreateOutlierDetection();
        context.Transitions.Set(context.Cluster, context["web1"], HealthSource.Active, DestinationHealth.Unhealthy, "status 503");
        context.Transitions.UpdateAvailableDestinations(context.Cluster);

        Fail(policy, context, "web1", 5);
        context.Time.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal(["DOWN"], context.HealthLog.GetTransitions("web", "web1").Select(t => t.Direction));
        Assert.Equal(["web2"], context.Available);
    }

    [Fact]
    public void RequestProxied_Success_AllocatesNothing()
    {
        var context = PassiveContext();
        var policy = context.CreateOutlierDetection();
        var ok = Response(200);
        policy.RequestProxied(ok, context.Cluster, context["web1"]);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000; i++)
        {
            policy.RequestProxied(ok, context.Cluster, context["web1"]);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static HealthTestContext PassiveContext(int destinations = 2, TimeSpan? reactivation = null, bool active = false, Dictionary<string, string>? metadata = null)
        => new(destinations, metadata, active: active, passive: true, reactivationPeriod: reactivation);

    private static void Fail(OutlierDetectionHealthPolicy policy, HealthTestContext context, string destination, int count, int status = 500)
    {
        for (var i = 0; i < count; i++)
        {
            policy.RequestProxied(Response(status), context.Cluster, context[destination]);
        }
    }

    private static int SecondsUntilBack(HealthTestContext context, OutlierDetectionHealthPolicy policy, string destination)
    {
        Assert.True(policy.IsEjected(context[destination]));
        var seconds = 0;
        while (policy.IsEjected(context[destination]) && seconds < 10_000)
        {
            context.Time.Advance(TimeSpan.FromSeconds(1));
            seconds++;
        }

        return seconds;
    }

    private static DefaultHttpContext Response(int status, ForwarderError error = ForwarderError.None, Exception? exception = null)
    {
        var context = new DefaultHttpContext();
        context.Response.StatusCode = status;
        if (error != ForwarderError.None)
        {
            context.Features.Set<IForwarderErrorFeature>(new ErrorFeature(error, exception));
        }

        return context;
    }

    private sealed record ErrorFeature(ForwarderError Error, Exception? Exception) : IForwarderErrorFeature;
}
