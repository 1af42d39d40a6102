using System.Text.Json;
using Gateway.IntegrationTests.Infrastructure;
using Gateway.IntegrationTests.Protos;
using Grpc.Core;
using Grpc.Net.Client;

namespace Gateway.IntegrationTests.Protocols;

/// <summary>gRPC from a client over TLS and HTTP/2, through the gateway, to an h2c backend.</summary>
public sealed class GrpcTests
{
    [Fact]
    public async Task Grpc_TlsClientToH2cBackend_UnaryAndServerStreamingWork()
    {
        using var certificate = TestCertificate.Create();
        await using var backend = await GrpcBackend.StartAsync();
        using var gateway = new GatewayFactory(H2cCluster(backend.Address), certificate.GatewaySettings);
        using var channel = GrpcChannel.ForAddress(gateway.PublicAddress, new GrpcChannelOptions { HttpHandler = certificate.CreateHandler() });
        var client = new Echo.EchoClient(channel);

        var reply = await client.SayAsync(new EchoRequest { Text = "ping" }, deadline: DateTime.UtcNow.AddSeconds(30));
        var stream = client.Count(new EchoRequest { Text = "n", Times = 3 }, deadline: DateTime.UtcNow.AddSeconds(30));
        var streamed = new List<string>();
        await foreach (var item in stream.ResponseStream.ReadAllAsync())
        {
            streamed.Add(item.Text);
        }

        Assert.Equal("ping", reply.Text);
        Assert.Equal("HTTP/2", reply.Protocol);
        Assert.Equal(["n 1", "n 2", "n 3"], streamed);
        Assert.Equal(StatusCode.OK, stream.GetStatus().StatusCode);
    }

    /// <summary>A cluster whose destination speaks HTTP/2 only, without TLS: YARP must use prior knowledge.</summary>
    private static string H2cCluster(string address) => JsonSerializer.Serialize(new
    {
        ReverseProxy = new
        {
            Routes = new Dictionary<string, object>
            {
                ["grpc"] = new { ClusterId = "grpc", Match = new { Path = "/{**catch-all}" } },
            },
            Clusters = new Dictionary<string, object>
            {
                ["grpc"] = new
                {
                    HttpRequest = new { Version = "2", VersionPolicy = "RequestVersionExact" },
                    Destinations = new Dictionary<string, object> { ["grpc1"] = new { Address = address } },
                },
            },
        },
    });
}
