using System.Net;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;

namespace Gateway.Benchmarks;

internal static class BenchmarkData
{
    private static readonly HttpMessageInvoker s_invoker = new(new SocketsHttpHandler());

    public static ClusterState Cluster() => new("bench", new ClusterModel(new ClusterConfig { ClusterId = "bench" }, s_invoker));

    public static DestinationState[] Destinations(int count) => Enumerable.Range(1, count)
        .Select(i => new DestinationState($"d{i}", new DestinationModel(new DestinationConfig { Address = $"http://10.0.{i / 256}.{i % 256}:8080/" })))
        .ToArray();

    /// <summary>Random IPv4 clients from a fixed seed; a power of two long, so cycling through them is a mask.</summary>
    public static HttpContext[] Clients(int count)
    {
        var random = new Random(20261125);
        var bytes = new byte[4];
        var clients = new HttpContext[count];
        for (var i = 0; i < count; i++)
        {
            random.NextBytes(bytes);
            clients[i] = new DefaultHttpContext { Connection = { RemoteIpAddress = new IPAddress(bytes) } };
        }

        return clients;
    }
}
