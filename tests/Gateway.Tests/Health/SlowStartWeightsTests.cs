using Gateway.Health;
using Gateway.LoadBalancing;
using Microsoft.Extensions.Time.Testing;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;

namespace Gateway.Tests.Health;

public sealed class SlowStartWeightsTests
{
    private static readonly HttpMessageInvoker s_invoker = new(new SocketsHttpHandler());
    private readonly FakeTimeProvider _time = new();
    private readonly SlowStartWeights _weights;
    private readonly ClusterState _cluster = new("web", new ClusterModel(new ClusterConfig { ClusterId = "web" }, s_invoker));

    public SlowStartWeightsTests()
    {
        _weights = new SlowStartWeights(_time);
    }

    [Fact]
    public void GetWeight_NoRamp_ConfiguredWeightTimesScale()
    {
        Assert.Equal(3 * EffectiveWeights.Scale, _weights.GetWeight(_cluster, Destination("a", 3)));
        Assert.Equal(0, _weights.GetWeight(_cluster, Destination("b", 0)));
        Assert.Equal(0, _weights.GetVersion(_cluster));
    }

    [Fact]
    public void GetWeight_Ramp_LinearFromOneStepToFull()
    {
        var a = Destination("a", 2);
        _weights.Begin(_cluster, a, TimeSpan.FromSeconds(20));

        var weights = new List<int> { _weights.GetWeight(_cluster, a) };
        for (var second = 1; second <= 21; second++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            weights.Add(_weights.GetWeight(_cluster, a));
        }

        Assert.Equal(2, weights[0]);
        Assert.Equal(2 * 10, weights[10]);
        Assert.Equal(2 * 20, weights[20]);
        Assert.Equal(2 * 20, weights[21]);
        Assert.Equal(weights.Order(), weights);
    }

    [Fact]
    public void GetWeight_OtherDestinationsDuringRamp_Full()
    {
        var a = Destination("a");
        _weights.Begin(_cluster, a, TimeSpan.FromSeconds(20));

        Assert.Equal(EffectiveWeights.Scale, _weights.GetWeight(_cluster, Destination("b")));
    }

    [Fact]
    public void GetVersion_DuringRamp_ChangesOncePerStepAndSettlesAfter()
    {
        var a = Destination("a");
        _weights.Begin(_cluster, a, TimeSpan.FromSeconds(10));
        var versions = new HashSet<long>();

        for (var i = 0; i < 1_200; i++)
        {
            versions.Add(_weights.GetVersion(_cluster));
            _time.Advance(TimeSpan.FromMilliseconds(10));
        }

        // One version per step, and one more for the full weight after the ramp: the policies rebuild that often.
        Assert.Equal(EffectiveWeights.Scale + 1, versions.Count);
        var settled = _weights.GetVersion(_cluster);
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(settled, _weights.GetVersion(_cluster));
        Assert.Equal(EffectiveWeights.Scale, _weights.GetWeight(_cluster, a));
    }

    [Fact]
    public void Begin_ZeroDuration_NoRamp()
    {
        _weights.Begin(_cluster, Destination("a"), TimeSpan.Zero);

        Assert.Equal(0, _weights.GetVersion(_cluster));
    }

    [Fact]
    public void Begin_AgainDuringRamp_RestartsFromTheBottom()
    {
        var a = Destination("a", 4);
        _weights.Begin(_cluster, a, TimeSpan.FromSeconds(20));
        _time.Advance(TimeSpan.FromSeconds(15));

        _weights.Begin(_cluster, a, TimeSpan.FromSeconds(20));

        Assert.Equal(4, _weights.GetWeight(_cluster, a));
    }

    [Fact]
    public void WeightedRoundRobin_DuringRamp_ReturningDestinationGetsGrowingShare()
    {
        var policy = new WeightedRoundRobinLoadBalancingPolicy(_weights);
        var a = Destination("a");
        var b = Destination("b");
        IReadOnlyList<DestinationState> available = [a, b];
        _weights.Begin(_cluster, a, TimeSpan.FromSeconds(20));
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext();

        var shares = new List<int>();
        for (var second = 0; second < 22; second += 5)
        {
            var picks = Enumerable.Range(0, 2_100).Count(_ => policy.PickDestination(context, _cluster, available) == a);
            shares.Add(picks * 100 / 2_100);
            _time.Advance(TimeSpan.FromSeconds(5));
        }

        // a's weight is 1/20, 5/20, 10/20, 15/20 of b's, then equal.
        Assert.Equal([4, 20, 33, 42, 50], shares);
    }

    [Fact]
    public void IpHash_DuringRamp_ReturningDestinationOnlyGainsClients()
    {
        var policy = new IpHashLoadBalancingPolicy(_weights);
        var destinations = Enumerable.Range(1, 4).Select(i => Destination($"web{i}")).ToArray();
        var clients = Enumerable.Range(0, 4_000).Select(i =>
        {
            var context = new Microsoft.AspNetCore.Http.DefaultHttpContext();
            context.Connection.RemoteIpAddress = new System.Net.IPAddress([10, (byte)(i >> 16), (byte)(i >> 8), (byte)i]);
            return context;
        }).ToArray();
        var steady = clients.Select(c => policy.PickDestination(c, _cluster, destinations)!.DestinationId).ToArray();
        var web1 = destinations[0];
        _weights.Begin(_cluster, web1, TimeSpan.FromSeconds(20));

        var previous = clients.Select(c => policy.PickDestination(c, _cluster, destinations)!.DestinationId).ToArray();
        var counts = new List<int> { previous.Count(d => d == "web1") };
        for (var second = 0; second < 21; second++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            var now = clients.Select(c => policy.PickDestination(c, _cluster, destinations)!.DestinationId).ToArray();
            for (var i = 0; i < clients.Length; i++)
            {
                // A client either stays where it was or moves to the ramping destination, and only to where it belongs when settled.
                Assert.True(now[i] == previous[i] || (now[i] == "web1" && steady[i] == "web1"));
            }

            counts.Add(now.Count(d => d == "web1"));
            previous = now;
        }

        Assert.Equal(steady, previous);
        Assert.InRange(counts[0], 1, steady.Count(d => d == "web1") / 10);
        Assert.Equal(counts.Order(), counts);
    }

    [Fact]
    public void Policies_SteadyStateWithSlowStartRegistered_PickAllocatesNothing()
    {
        var wrr = new WeightedRoundRobinLoadBalancingPolicy(_weights);
        var ipHash = new IpHashLoadBalancingPolicy(_weights);
        var destinations = Enumerable.Range(1, 10).Select(i => Destination($"d{i}", i % 3 + 1)).ToArray();
        _weights.Begin(_cluster, destinations[0], TimeSpan.FromSeconds(1));
        _time.Advance(TimeSpan.FromSeconds(2));
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        context.Connection.RemoteIpAddress = System.Net.IPAddress.Parse("192.0.2.1");
        wrr.PickDestination(context, _cluster, destinations);
        ipHash.PickDestination(context, _cluster, destinations);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000; i++)
        {
            wrr.PickDestination(context, _cluster, destinations);
            ipHash.PickDestination(context, _cluster, destinations);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static DestinationState Destination(string id, int weight = 1)
        => new(id, new DestinationModel(new DestinationConfig
        {
            Address = $"http://{id}.test/",
            Metadata = new Dictionary<string, string> { ["Weight"] = weight.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        }));
}
