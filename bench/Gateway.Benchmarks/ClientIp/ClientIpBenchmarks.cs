using System.Net;
using BenchmarkDotNet.Attributes;
using Gateway.LoadBalancing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Gateway.Benchmarks.ClientIp;

/// <summary>
/// Client-IP resolution: the stable hash IpHash takes of the address, and the gateway's forwarded-headers
/// step, which runs only when <c>Gateway:ForwardedHeaders:TrustedProxies</c> is set.
/// </summary>
[MemoryDiagnoser]
public class ClientIpBenchmarks
{
    private static readonly IPAddress s_ipv4 = IPAddress.Parse("203.0.113.7");
    private static readonly IPAddress s_ipv6 = IPAddress.Parse("2001:db8::17");
    private static readonly IPAddress s_trustedPeer = IPAddress.Parse("10.0.0.1");
    private static readonly StringValues s_forwardedFor = "198.51.100.23, 203.0.113.7, 10.0.0.2";

    private WebApplication _app = null!;
    private RequestDelegate _pipeline = null!;
    private DefaultHttpContext _context = null!;

    [GlobalSetup]
    public void Setup()
    {
        _app = GatewayServices.Build(new Dictionary<string, string?>
        {
            ["Gateway:ForwardedHeaders:TrustedProxies:0"] = "10.0.0.0/8",
        });
        _pipeline = GatewayServices.Pipeline(_app);
        _context = new DefaultHttpContext();
    }

    [GlobalCleanup]
    public ValueTask Cleanup() => _app.DisposeAsync();

    [Benchmark]
    public ulong HashIPv4() => ClientAddressHash.Compute(s_ipv4);

    [Benchmark]
    public ulong HashIPv6() => ClientAddressHash.Compute(s_ipv6);

    /// <summary>A trusted proxy's X-Forwarded-For, resolved by the gateway's pipeline to the right-most untrusted address.</summary>
    [Benchmark]
    public Task TrustedForwardedFor()
    {
        _context.Connection.RemoteIpAddress = s_trustedPeer;
        _context.Request.Headers["X-Forwarded-For"] = s_forwardedFor;
        return _pipeline(_context);
    }
}
