using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;

namespace Gateway.IntegrationTests.Infrastructure;

/// <summary>A WebSocket echo handler for <see cref="TestBackend"/>, recording how each connection was closed.</summary>
public sealed class WebSocketEcho
{
    private readonly TaskCompletionSource<WebSocketCloseStatus?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The close status the client sent, once the backend has seen the close handshake.</summary>
    public Task<WebSocketCloseStatus?> Closed => _closed.Task;

    public async Task HandleAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var buffer = new byte[4096];
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseOutputAsync(received.CloseStatus ?? WebSocketCloseStatus.NormalClosure, received.CloseStatusDescription, CancellationToken.None);
                _closed.TrySetResult(received.CloseStatus);
                return;
            }

            await socket.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, CancellationToken.None);
        }
    }
}
