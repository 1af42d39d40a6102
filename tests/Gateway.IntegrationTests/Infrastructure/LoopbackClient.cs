using System.Net;
using System.Net.Sockets;

namespace Gateway.IntegrationTests.Infrastructure;

/// <summary>HTTP clients that connect from a chosen loopback source address (127.0.0.2, 127.0.0.3, ...).</summary>
public static class LoopbackClient
{
    public static HttpClient From(string sourceAddress, Uri baseAddress)
    {
        var source = IPAddress.Parse(sourceAddress);
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(source, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }
}
