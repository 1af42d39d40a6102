namespace Gateway.Lifecycle;

/// <summary>
/// The proxied WebSockets that are open, and the signal that asks them all to close when the gateway
/// shuts down (see <see cref="WebSocketCloseOnDrainStream"/>). Never disposed: the token has no timer or
/// wait handle to free, and a stop that races the host's disposal (a second StopAsync) must still be able
/// to signal it.
/// </summary>
internal sealed class WebSocketDrain
{
    private readonly CancellationTokenSource _closing = new();
    private int _open;

    public CancellationToken Closing => _closing.Token;

    public int Open => Volatile.Read(ref _open);

    public void Opened() => Interlocked.Increment(ref _open);

    public void Closed() => Interlocked.Decrement(ref _open);

    /// <summary>Sends every open WebSocket, and any opened from now on, a close frame.</summary>
    public void CloseAll() => _closing.Cancel();
}
