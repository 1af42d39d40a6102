using Gateway.Lifecycle;

namespace Gateway.Tests.Lifecycle;

public sealed class WebSocketCloseOnDrainStreamTests
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Write_NotDraining_PassesEveryByteThrough()
    {
        var drain = new WebSocketDrain();
        var inner = new MemoryStream();
        await using var stream = new WebSocketCloseOnDrainStream(inner, drain);
        byte[] frames = [.. WebSocketFrameTrackerTests.Frame(10), .. WebSocketFrameTrackerTests.Frame(500)];

        await stream.WriteAsync(frames);

        Assert.Equal(frames, inner.ToArray());
        Assert.Equal(1, drain.Open);
    }

    [Fact]
    public async Task CloseAll_IdleBetweenFrames_SendsCloseFrameGoingAway()
    {
        var drain = new WebSocketDrain();
        var inner = new MemoryStream();
        await using var stream = new WebSocketCloseOnDrainStream(inner, drain);
        var frame = WebSocketFrameTrackerTests.Frame(10);
        await stream.WriteAsync(frame);

        drain.CloseAll();

        var written = await WaitForLengthAsync(inner, frame.Length + 4);
        AssertCloseFrame(written.AsSpan(frame.Length));
    }

    [Fact]
    public async Task CloseAll_InsideAFrame_FinishesTheFrameThenClosesAndDropsLaterFrames()
    {
        var drain = new WebSocketDrain();
        var inner = new MemoryStream();
        await using var stream = new WebSocketCloseOnDrainStream(inner, drain);
        var frame = WebSocketFrameTrackerTests.Frame(1000);
        await stream.WriteAsync(frame.AsMemory(0, 100));

        drain.CloseAll();
        await stream.WriteAsync(frame.AsMemory(100));
        await stream.WriteAsync(WebSocketFrameTrackerTests.Frame(5));

        var written = inner.ToArray();
        Assert.Equal(frame, written[..frame.Length]);
        AssertCloseFrame(written.AsSpan(frame.Length));
    }

    [Fact]
    public async Task Upgrade_AfterCloseAll_ClosesAtOnce()
    {
        var drain = new WebSocketDrain();
        drain.CloseAll();
        var inner = new MemoryStream();

        await using var stream = new WebSocketCloseOnDrainStream(inner, drain);

        AssertCloseFrame(await WaitForLengthAsync(inner, 4));
    }

    [Fact]
    public async Task Dispose_DisposedStream_NoLongerCounted()
    {
        var drain = new WebSocketDrain();
        var stream = new WebSocketCloseOnDrainStream(new MemoryStream(), drain);

        await stream.DisposeAsync();

        Assert.Equal(0, drain.Open);
    }

    private static void AssertCloseFrame(ReadOnlySpan<byte> bytes)
    {
        Assert.Equal(0x88, bytes[0]);
        var length = bytes[1];
        Assert.Equal(2 + length, bytes.Length);
        Assert.Equal(1001, (bytes[2] << 8) | bytes[3]);
    }

    private static async Task<byte[]> WaitForLengthAsync(MemoryStream stream, int atLeast)
    {
        var deadline = DateTime.UtcNow + s_deadline;
        while (DateTime.UtcNow < deadline)
        {
            var bytes = stream.ToArray();
            if (bytes.Length >= atLeast)
            {
                return bytes;
            }

            await Task.Delay(10);
        }

        throw new TimeoutException($"Fewer than {atLeast} bytes written.");
    }
}
