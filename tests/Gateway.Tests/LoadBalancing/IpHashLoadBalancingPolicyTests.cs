using System.Net;
using Gateway.LoadBalancing;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Model;
using Xunit.Abstractions;
using static Gateway.Tests.LoadBalancing.PolicyTestData;

namespace Gateway.Tests.LoadBalancing;

public sealed class IpHashLoadBalancingPolicyTests(ITestOutputHelper output)
{
    private readonly IpHashLoadBalancingPolicy _policy = new();
    private readonly ClusterState _cluster = Cluster();

    [Fact]
    public void ClientAddressHash_KnownAddresses_SameValueInEveryProcess()
    {
        // Fixed values: a per-process randomised hash such as string.GetHashCode would differ on every run.
        Assert.Equal(ClientAddressHash.Compute(IPAddress.Parse("192.0.2.1")), ClientAddressHash.Compute(IPAddress.Parse("192.0.2.1")));
        Assert.Equal(0x2c1c901eed9adc4aUL, ClientAddressHash.Compute(IPAddress.Parse("192.0.2.1")));
        Assert.Equal(0x275c8fa58c2d19a0UL, ClientAddressHash.Compute(IPAddress.Parse("2001:db8::1")));
    }

    [Fact]
    public void PickDestination_KnownClients_SameDestinationAcrossPolicyInstancesAndListOrder()
    {
        var destinations = new[] { Destination("web1"), Destination("web2"), Destination("web3") };
        var reordered = new[] { Destination("web3"), Destination("web1"), Destination("web2") };
        var other = new IpHashLoadBalancingPolicy();
        var otherCluster = Cluster();

        foreach (var client in RandomIPv4Clients(500))
        {
            var first = _policy.PickDestination(client, _cluster, destinations)!;
            var second = other.PickDestination(client, otherCluster, reordered)!;
            Assert.Equal(first.DestinationId, second.DestinationId);
        }
    }

    [Fact]
    public void PickDestination_ThreeEqualDestinations_EachGetsAThirdWithinThreePoints()
    {
        var destinations = new[] { Destination("web1"), Destination("web2"), Destination("web3") };
        var shares = Shares(destinations, RandomIPv4Clients(10_000));
        Report("3 equal destinations", shares);

        foreach (var destination in destinations)
        {
            Assert.InRange(shares[destination.DestinationId], 100.0 / 3 - 3, 100.0 / 3 + 3);
        }
    }

    [Theory]
    [InlineData(1, 2, 3)]
    [InlineData(5, 1, 1)]
    [InlineData(10, 20, 70)]
    public void PickDestination_WeightedDestinations_SharesFollowWeightsWithinThreePoints(int w1, int w2, int w3)
    {
        var destinations = new[] { Destination("web1", w1), Destination("web2", w2), Destination("web3", w3) };
        var shares = Shares(destinations, RandomIPv4Clients(10_000));
        var total = (double)(w1 + w2 + w3);
        Report($"weights {w1},{w2},{w3}", shares);

        Assert.InRange(shares["web1"], (100 * w1 / total) - 3, (100 * w1 / total) + 3);
        Assert.InRange(shares["web2"], (100 * w2 / total) - 3, (100 * w2 / total) + 3);
        Assert.InRange(shares["web3"], (100 * w3 / total) - 3, (100 * w3 / total) + 3);
    }

    [Fact]
    public void PickDestination_OneOfFiveRemovedAndAddedBack_OnlyItsClientsMoveAndMappingRestored()
    {
        var all = Enumerable.Range(1, 5).Select(i => Destination($"web{i}")).ToArray();
        var withoutThird = all.Where(d => d.DestinationId != "web3").ToArray();
        var restored = all.ToArray();
        var clients = RandomIPv4Clients(10_000);

        var before = clients.Select(c => Pick(c, all)).ToArray();
        var during = clients.Select(c => Pick(c, withoutThird)).ToArray();
        var after = clients.Select(c => Pick(c, restored)).ToArray();

        var moved = 0;
        for (var i = 0; i < clients.Count; i++)
        {
            if (before[i] != "web3")
            {
                Assert.Equal(before[i], during[i]);
            }
            else
            {
                moved++;
                Assert.NotEqual("web3", during[i]);
            }

            Assert.Equal(before[i], after[i]);
        }

        output.WriteLine($"removing web3 of 5: {moved} of {clients.Count} clients moved ({100.0 * moved / clients.Count:F1} %), all of them web3's; re-adding it restored every mapping");
        Assert.InRange(moved, 1_500, 2_500);
    }

    [Fact]
    public void PickDestination_WeightZero_NeverPickedAndOthersKeepTheirClients()
    {
        var all = new[] { Destination("web1"), Destination("web2"), Destination("web3") };
        var drained = new[] { Destination("web1"), Destination("web2", 0), Destination("web3") };
        var clients = RandomIPv4Clients(3_000);

        var before = clients.Select(c => Pick(c, all)).ToArray();
        var after = clients.Select(c => Pick(c, drained)).ToArray();

        for (var i = 0; i < clients.Count; i++)
        {
            Assert.NotEqual("web2", after[i]);
            if (before[i] != "web2")
            {
                Assert.Equal(before[i], after[i]);
            }
        }
    }

    [Fact]
    public void PickDestination_AllWeightZero_ReturnsNull()
    {
        var destinations = new[] { Destination("web1", 0), Destination("web2", 0) };

        Assert.Null(_policy.PickDestination(Client("192.0.2.10"), Cluster(), destinations));
    }

    [Fact]
    public void PickDestination_NoDestinations_ReturnsNull()
        => Assert.Null(_policy.PickDestination(Client("192.0.2.10"), Cluster(), []));

    [Fact]
    public void PickDestination_IPv4MappedIPv6_SameAsIPv4()
    {
        var destinations = Enumerable.Range(1, 7).Select(i => Destination($"web{i}")).ToArray();
        foreach (var client in RandomIPv4Clients(200))
        {
            var mapped = Client(client.Connection.RemoteIpAddress!.MapToIPv6().ToString());
            Assert.True(mapped.Connection.RemoteIpAddress!.IsIPv4MappedToIPv6);
            Assert.Equal(Pick(client, destinations), Pick(mapped, destinations));
        }
    }

    [Fact]
    public void PickDestination_IPv6Clients_SpreadAcrossDestinations()
    {
        var destinations = new[] { Destination("web1"), Destination("web2"), Destination("web3") };
        var picks = Enumerable.Range(0, 3_000)
            .Select(i => Pick(Client($"2001:db8::{i:x}:1"), destinations))
            .GroupBy(id => id)
            .ToDictionary(g => g.Key, g => g.Count());

        Assert.Equal(3, picks.Count);
        Assert.All(picks.Values, count => Assert.InRange(count, 700, 1_300));
    }

    [Fact]
    public void PickDestination_SameClient_AllocatesNothing()
    {
        var destinations = Enumerable.Range(1, 100).Select(i => Destination($"web{i}")).ToArray();
        var cluster = Cluster();
        var client = Client("198.51.100.7");
        _policy.PickDestination(client, cluster, destinations);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000; i++)
        {
            _policy.PickDestination(client, cluster, destinations);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private void Report(string title, Dictionary<string, double> shares)
        => output.WriteLine($"{title}: {string.Join(" ", shares.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}={kv.Value:F1}%"))}");

    private string Pick(HttpContext client, IReadOnlyList<DestinationState> destinations)
        => _policy.PickDestination(client, _cluster, destinations)!.DestinationId;

    private Dictionary<string, double> Shares(IReadOnlyList<DestinationState> destinations, IReadOnlyList<HttpContext> clients)
    {
        var cluster = Cluster();
        var counts = destinations.ToDictionary(d => d.DestinationId, _ => 0);
        foreach (var client in clients)
        {
            counts[_policy.PickDestination(client, cluster, destinations)!.DestinationId]++;
        }

        return counts.ToDictionary(kv => kv.Key, kv => 100.0 * kv.Value / clients.Count);
    }
}
