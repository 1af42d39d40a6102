namespace Gateway.Reliability;

/// <summary>
/// Wraps the client's request body and records whether any byte of it was read, that is, whether the
/// forwarder began to send it. A body nobody has read is still intact on the client connection, so the
/// request can be sent again; once a byte has been read it cannot.
/// </summary>
internal sealed class RequestBodyReadTracker(Stream inner) : Stream
{
    private volatile bool _read;

    public bool HasRead => _read;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Record(inner.Read(buffer, offset, count));

    public override int Read(Span<byte> buffer) => Record(inner.Read(buffer));

    public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => Record(await inner.ReadAsync(buffer.AsMemory(offset, count), cancellationToken));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // A zero-byte read (the forwarder waiting for data without renting a buffer) consumes nothing.
        if (buffer.IsEmpty)
        {
            return await inner.ReadAsync(buffer, cancellationToken);
        }

        _read = true;
        return await inner.ReadAsync(buffer, cancellationToken);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int Record(int read)
    {
        _read = true;
        return read;
    }
}
