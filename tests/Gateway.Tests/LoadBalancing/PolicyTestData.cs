using System.Net;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;

namespace Gateway.Tests.LoadBalancing;

internal static class PolicyTestData
{
    private static readonly HttpMessageInvoker s_invoker = new(new SocketsHttpHandler());

    public static DestinationState Destination(string id, int? weight = null)
    {
        var metadata = weight is { } w ? new Dictionary<string, string> { ["Weight"] = w.ToString(System.Globalization.CultureInfo.InvariantCulture) } : null;
        return new DestinationState(id, new DestinationModel(new DestinationConfig { Address = $"http://{id}.test/", Metadata = metadata }));
    }

    public static ClusterState Cluster(string id = "web") => new(id, new ClusterModel(new ClusterConfig { ClusterId = id }, s_invoker));

    public static HttpContext Client(string ip)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(ip);
        return context;
    }

    /// <summary>Random IPv4 addresses from a fixed seed, so every run sees the same clients.</summary>
    public static IReadOnlyList<HttpContext> RandomIPv4Clients(int count, int seed = 20261125)
    {
        var random = new Random(seed);
        var bytes = new byte[4];
        var clients = new HttpContext[count];
        for (var i = 0; i < count; i++)
        {
            random.NextBytes(bytes);
            var context = new DefaultHttpContext();
            context.Connection.RemoteIpAddress = new IPAddress(bytes);
            clients[i] = context;
        }

        return clients;
    }
}
