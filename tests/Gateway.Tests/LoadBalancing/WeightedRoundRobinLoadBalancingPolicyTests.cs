using Gateway.LoadBalancing;
using Yarp.ReverseProxy.Model;
using static Gateway.Tests.LoadBalancing.PolicyTestData;

namespace Gateway.Tests.LoadBalancing;

public sealed class WeightedRoundRobinLoadBalancingPolicyTests
{
    private readonly WeightedRoundRobinLoadBalancingPolicy _policy = new();

    [Fact]
    public void PickDestination_Weights511_InterleavesLikeNginx()
    {
        var destinations = new[] { Destination("a", 5), Destination("b", 1), Destination("c", 1) };

        Assert.Equal("aabacaa" + "aabacaa" + "aabacaa", Sequence(destinations, 21));
    }

    [Fact]
    public void PickDestination_HeavyWeight_NeverABurstOfFive()
    {
        var destinations = new[] { Destination("a", 5), Destination("b", 1), Destination("c", 1) };
        var sequence = Sequence(destinations, 700);

        Assert.DoesNotContain("aaaaa", sequence);
        Assert.Equal(500, sequence.Count(c => c == 'a'));
        Assert.Equal(100, sequence.Count(c => c == 'b'));
        Assert.Equal(100, sequence.Count(c => c == 'c'));
    }

    [Fact]
    public void PickDestination_EqualWeights_PlainRoundRobin()
        => Assert.Equal("abcabcabc", Sequence([Destination("a"), Destination("b"), Destination("c")], 9));

    [Fact]
    public void PickDestination_WeightZero_NeverPicked()
        => Assert.Equal("acacac", Sequence([Destination("a"), Destination("b", 0), Destination("c")], 6));

    [Fact]
    public void PickDestination_AllWeightZero_ReturnsNull()
        => Assert.Null(_policy.PickDestination(Client("192.0.2.1"), Cluster(), [Destination("a", 0)]));

    [Fact]
    public void PickDestination_NoDestinations_ReturnsNull()
        => Assert.Null(_policy.PickDestination(Client("192.0.2.1"), Cluster(), []));

    [Fact]
    public void PickDestination_ConcurrentPickers_KeepExactProportions()
    {
        var destinations = new[] { Destination("a", 3), Destination("b", 2), Destination("c", 1) };
        var cluster = Cluster();
        var counts = new int[3];
        Parallel.For(0, 6_000, _ =>
        {
            var picked = _policy.PickDestination(Client("192.0.2.1"), cluster, destinations)!;
            Interlocked.Increment(ref counts[picked.DestinationId[0] - 'a']);
        });

        Assert.Equal([3_000, 2_000, 1_000], counts);
    }

    [Fact]
    public void PickDestination_SteadyState_AllocatesNothing()
    {
        var destinations = Enumerable.Range(1, 100).Select(i => Destination($"d{i}", i % 7 + 1)).ToArray();
        var cluster = Cluster();
        var client = Client("192.0.2.1");
        _policy.PickDestination(client, cluster, destinations);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000; i++)
        {
            _policy.PickDestination(client, cluster, destinations);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private string Sequence(IReadOnlyList<DestinationState> destinations, int count)
    {
        var cluster = Cluster();
        var client = Client("192.0.2.1");
        return string.Concat(Enumerable.Range(0, count).Select(_ => _policy.PickDestination(client, cluster, destinations)!.DestinationId));
    }
}
