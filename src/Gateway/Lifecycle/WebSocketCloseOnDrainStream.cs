using System.Buffers.Binary;

namespace Gateway.Lifecycle;

/// <summary>
/// The client side of a proxied WebSocket. Everything passes through; when the gateway shuts down it
/// sends the client a close frame (1001, going away) at the next frame boundary of the backend's stream,
/// then drops whatever the backend sends after it, as RFC 6455 forbids data after a close. The client's
/// own close reply still reaches the backend, which then ends the connection the normal way, so both
/// ends see a clean close handshake instead of a reset when the gateway stops.
/// </summary>
internal sealed class WebSocketCloseOnDrainStream : Stream
{
    private const ushort GoingAway = 1001;

    private static readonly byte[] s_closeFrame = BuildCloseFrame("gateway shutting down"u8);

    private readonly Stream _inner;
    private readonly WebSocketDrain _drain;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private CancellationTokenRegistration _closingRegistration;
    private WebSocketFrameTracker _frames;
    private volatile bool _closeRequested;
    private bool _closeSent;
    private int _disposed;

    public WebSocketCloseOnDrainStream(Stream inner, WebSocketDrain drain)
    {
        _inner = inner;
        _drain = drain;
        drain.Opened();
        _closingRegistration = drain.Closing.UnsafeRegister(static state => ((WebSocketCloseOnDrainStream)state!).OnClosing(), this);
    }

    public override bool CanRead => _inner.CanRead;

    public override bool CanWrite => _inner.CanWrite;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => _inner.ReadAsync(buffer, offset, count, cancellationToken);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        => _inner.ReadAsync(buffer, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count)
        => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            if (!_closeRequested)
            {
                _frames.Advance(buffer.Span, stopAtBoundary: false);
                await _inner.WriteAsync(buffer, cancellationToken);
                return;
            }

            while (true)
            {
                if (!_closeSent && _frames.AtBoundary)
                {
                    await SendCloseAsync(cancellationToken);
                }

                if (_closeSent || buffer.IsEmpty)
                {
                    return;
                }

                var taken = _frames.Advance(buffer.Span, stopAtBoundary: true);
                await _inner.WriteAsync(buffer[..taken], cancellationToken);
                buffer = buffer[taken..];
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public override void Flush() => _inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private void OnClosing()
    {
        _closeRequested = true;
        _ = SendCloseIfIdleAsync();
    }

    /// <summary>Between frames the close goes out now; inside one, the next write sends it where the frame ends.</summary>
    private async Task SendCloseIfIdleAsync()
    {
        try
        {
            await _writeLock.WaitAsync();
            try
            {
                if (!_closeSent && _frames.AtBoundary && Volatile.Read(ref _disposed) == 0)
                {
                    await SendCloseAsync(CancellationToken.None);
                }
            }
            finally
            {
                _writeLock.Release();
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // The client went away first: there is nobody left to tell.
        }
    }

    private async ValueTask SendCloseAsync(CancellationToken cancellationToken)
    {
        _closeSent = true;
        await _inner.WriteAsync(s_closeFrame, cancellationToken);
        await _inner.FlushAsync(cancellationToken);
    }

    /// <summary>FIN and opcode 8 (close), unmasked as server frames are, then status 1001 and a short reason.</summary>
    private static byte[] BuildCloseFrame(ReadOnlySpan<byte> reason)
    {
        var frame = new byte[4 + reason.Length];
        frame[0] = 0x88;
        frame[1] = (byte)(2 + reason.Length);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), GoingAway);
        reason.CopyTo(frame.AsSpan(4));
        return frame;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _closingRegistration.Dispose();
            _drain.Closed();
            _inner.Dispose();
            _writeLock.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _closingRegistration.DisposeAsync();
            _drain.Closed();
            await _inner.DisposeAsync();
            _writeLock.Dispose();
        }

        GC.SuppressFinalize(this);
    }
}
