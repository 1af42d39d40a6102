using System.Net;
using System.Net.WebSockets;
using System.Text;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Protocols;

/// <summary>WebSockets proxied end to end: an HTTP/1.1 upgrade, and HTTP/2 (RFC 8441) from the client over TLS.</summary>
public sealed class WebSocketTests
{
    [Fact]
    public async Task WebSocket_Http11Upgrade_EchoedEndToEndAndClosedCleanly()
    {
        var echo = new WebSocketEcho();
        await using var backend = await TestBackend.StartAsync("ws");
        backend.Handler = echo.HandleAsync;
        using var gateway = new GatewayFactory(Configs.SingleCluster("RoundRobin", backend));
        using var socket = new ClientWebSocket();

        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{gateway.PublicAddress.Port}/ws"), CancellationToken.None);
        var reply = await RoundTripAsync(socket, "hello over http/1.1");
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);

        Assert.Equal("hello over http/1.1", reply);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, await echo.Closed.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(WebSocketState.Closed, socket.State);
    }

    [Fact]
    public async Task WebSocket_Http2OverTls_EchoedEndToEnd()
    {
        using var certificate = TestCertificate.Create();
        var echo = new WebSocketEcho();
        await using var backend = await TestBackend.StartAsync("ws");
        backend.Handler = echo.HandleAsync;
        using var gateway = new GatewayFactory(Configs.SingleCluster("RoundRobin", backend), certificate.GatewaySettings);
        using var invoker = new HttpMessageInvoker(certificate.CreateHandler());
        using var socket = new ClientWebSocket();
        socket.Options.HttpVersion = HttpVersion.Version20;
        socket.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        socket.Options.CollectHttpResponseDetails = true;

        await socket.ConnectAsync(new Uri($"wss://127.0.0.1:{gateway.PublicAddress.Port}/ws"), invoker, CancellationToken.None);
        var reply = await RoundTripAsync(socket, "hello over h2");
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);

        // An extended CONNECT is answered 200; an HTTP/1.1 upgrade would have been 101.
        Assert.Equal(HttpStatusCode.OK, socket.HttpStatusCode);
        Assert.Equal("hello over h2", reply);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, await echo.Closed.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    internal static async Task<string> RoundTripAsync(ClientWebSocket socket, string text)
    {
        await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var received = await socket.ReceiveAsync(buffer, timeout.Token);
        return Encoding.UTF8.GetString(buffer, 0, received.Count);
    }
}
