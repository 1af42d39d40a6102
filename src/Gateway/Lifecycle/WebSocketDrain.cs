namespace Gateway.Lifecycle;

/// <summary>
/// The proxied WebSockets that are open, and the signal that asks them all to close when the gateway
/// shuts down (see <see cref="WebSocketCloseOnDrainStream"/>).
/// </summary>
internal sealed class WebSocketDrain : IDisposable
{
    private readonly CancellationTokenSource _closing = new();
    private int _open;

    public CancellationToken Closing => _closing.Token;

    public int Open => Volatile.Read(ref _open);

    public void Opened() => Interlocked.Increment(ref _open);

    public void Closed() => Interlocked.Decrement(ref _open);

    /// <summary>Sends every open WebSocket, and any opened from now on, a close frame.</summary>
    public void CloseAll() => _closing.Cancel();

    public void Dispose() => _closing.Dispose();
}
