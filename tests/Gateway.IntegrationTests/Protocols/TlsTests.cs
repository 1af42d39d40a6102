using System.Net;
using System.Net.Sockets;
using Gateway.IntegrationTests.Infrastructure;
using Gateway.Tests.ProxyProtocol;
using Microsoft.AspNetCore.Http;

namespace Gateway.IntegrationTests.Protocols;

/// <summary>TLS termination from PEM files in the standard Kestrel settings, and HTTP/2 to clients.</summary>
public sealed class TlsTests
{
    [Fact]
    public async Task Https_PemCertificateAndKey_ServesHttp2ToClientAndProxiesPlainHttpToBackend()
    {
        using var certificate = TestCertificate.Create();
        await using var backend = await TestBackend.StartAsync("web");
        backend.Handler = context => context.Response.WriteAsync($"{context.Request.Protocol} {context.Request.Headers["X-Forwarded-Proto"]}");
        using var gateway = new GatewayFactory(Configs.SingleCluster("RoundRobin", backend), certificate.GatewaySettings);
        using var client = new HttpClient(certificate.CreateHandler()) { BaseAddress = gateway.PublicAddress };

        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/tls")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        });

        Assert.Equal("https", gateway.PublicAddress.Scheme);
        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal("HTTP/1.1 https", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Https_Http11Client_StillServed()
    {
        using var certificate = TestCertificate.Create();
        await using var backend = await TestBackend.StartAsync("web");
        using var gateway = new GatewayFactory(Configs.SingleCluster("RoundRobin", backend), certificate.GatewaySettings);
        using var client = new HttpClient(certificate.CreateHandler()) { BaseAddress = gateway.PublicAddress, DefaultRequestVersion = HttpVersion.Version11 };

        using var response = await client.GetAsync("/");

        Assert.Equal(HttpVersion.Version11, response.Version);
        Assert.Equal("web", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Https_BehindProxyProtocolV2_HeaderReadBeforeTlsAndClientIpForwarded()
    {
        using var certificate = TestCertificate.Create();
        await using var backend = await TestBackend.StartAsync("web");
        backend.Handler = context => context.Response.WriteAsync(context.Request.Headers["X-Forwarded-For"].ToString());
        var settings = certificate.GatewaySettings;
        settings["Gateway:ProxyProtocol:Mode"] = "Required";
        using var gateway = new GatewayFactory(Configs.SingleCluster("RoundRobin", backend), settings);
        var handler = certificate.CreateHandler();
        handler.ConnectCallback = async (context, cancellationToken) =>
        {
            // What an L4 balancer does: open the connection and speak PROXY first, then pass the client's TLS through.
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            var stream = new NetworkStream(socket, ownsSocket: true);
            await stream.WriteAsync(ProxyHeaders.V2WithCrc32C(IPEndPoint.Parse("192.0.2.33:45000"), IPEndPoint.Parse("10.0.0.5:443")), cancellationToken);
            return stream;
        };
        using var client = new HttpClient(handler) { BaseAddress = gateway.PublicAddress };

        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        });

        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal("192.0.2.33", await response.Content.ReadAsStringAsync());
    }
}
