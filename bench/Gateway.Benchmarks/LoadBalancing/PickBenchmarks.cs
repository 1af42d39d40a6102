using BenchmarkDotNet.Attributes;
using Gateway.LoadBalancing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace Gateway.Benchmarks.LoadBalancing;

/// <summary>
/// One pick of every load-balancing policy, resolved by name from the <see cref="ILoadBalancingPolicy"/>
/// registrations as YARP does per request: YARP's built-ins and the gateway's own.
/// </summary>
[MemoryDiagnoser]
public class PickBenchmarks
{
    private const int ClientCount = 1024;

    private WebApplication _app = null!;
    private ILoadBalancingPolicy _policy = null!;
    private ClusterState _cluster = null!;
    private DestinationState[] _destinations = null!;
    private HttpContext[] _clients = null!;
    private int _next;

    [Params(
        "RoundRobin",
        "LeastRequests",
        "PowerOfTwoChoices",
        "Random",
        "FirstAlphabetical",
        IpHashLoadBalancingPolicy.PolicyName,
        WeightedRoundRobinLoadBalancingPolicy.PolicyName)]
    public string Policy { get; set; } = "";

    [Params(3, 10, 100)]
    public int Destinations { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _app = GatewayServices.Build();
        _policy = _app.Services.GetServices<ILoadBalancingPolicy>().Single(p => p.Name == Policy);
        _cluster = BenchmarkData.Cluster();
        _destinations = BenchmarkData.Destinations(Destinations);
        _clients = BenchmarkData.Clients(ClientCount);
    }

    [GlobalCleanup]
    public ValueTask Cleanup() => _app.DisposeAsync();

    /// <summary>A different client each call, so IpHash reads spread over its table as real traffic does.</summary>
    [Benchmark]
    public DestinationState? Pick()
    {
        var client = _clients[_next++ & (ClientCount - 1)];
        return _policy.PickDestination(client, _cluster, _destinations);
    }
}
