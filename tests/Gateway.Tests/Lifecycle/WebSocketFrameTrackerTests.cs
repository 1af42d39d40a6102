using Gateway.Lifecycle;

namespace Gateway.Tests.Lifecycle;

public sealed class WebSocketFrameTrackerTests
{
    /// <summary>An unmasked frame with a payload of <paramref name="length"/> bytes, in the shortest length encoding.</summary>
    internal static byte[] Frame(int length, byte opcode = 0x2, bool masked = false)
    {
        var header = new List<byte> { (byte)(0x80 | opcode) };
        var mask = masked ? (byte)0x80 : (byte)0;
        if (length < 126)
        {
            header.Add((byte)(mask | length));
        }
        else if (length <= ushort.MaxValue)
        {
            header.AddRange([(byte)(mask | 126), (byte)(length >> 8), (byte)length]);
        }
        else
        {
            header.AddRange([(byte)(mask | 127), 0, 0, 0, 0, (byte)(length >> 24), (byte)(length >> 16), (byte)(length >> 8), (byte)length]);
        }

        if (masked)
        {
            header.AddRange([1, 2, 3, 4]);
        }

        return [.. header, .. Enumerable.Repeat((byte)'x', length)];
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(5, false)]
    [InlineData(125, false)]
    [InlineData(126, false)]
    [InlineData(65535, false)]
    [InlineData(65536, false)]
    [InlineData(70000, true)]
    [InlineData(3, true)]
    public void Advance_WholeFrame_EndsAtBoundary(int length, bool masked)
    {
        var tracker = new WebSocketFrameTracker();
        var frame = Frame(length, masked: masked);

        var taken = tracker.Advance(frame, stopAtBoundary: true);

        Assert.Equal(frame.Length, taken);
        Assert.True(tracker.AtBoundary);
    }

    [Fact]
    public void Advance_ByteByByte_AtBoundaryOnlyBetweenFrames()
    {
        byte[][] frames = [Frame(3), Frame(0, opcode: 0x9), Frame(200), Frame(70000)];
        var tracker = new WebSocketFrameTracker();

        foreach (var frame in frames)
        {
            for (var i = 0; i < frame.Length; i++)
            {
                Assert.Equal(i == 0, tracker.AtBoundary);
                Assert.Equal(1, tracker.Advance(frame.AsSpan(i, 1), stopAtBoundary: true));
            }
        }

        Assert.True(tracker.AtBoundary);
    }

    [Fact]
    public void Advance_StopAtBoundary_TakesOnlyTheCurrentFrame()
    {
        var first = Frame(10);
        byte[] stream = [.. first, .. Frame(300), .. Frame(1)];
        var tracker = new WebSocketFrameTracker();

        Assert.Equal(4, tracker.Advance(stream.AsSpan(0, 4), stopAtBoundary: true));
        Assert.False(tracker.AtBoundary);
        Assert.Equal(first.Length - 4, tracker.Advance(stream.AsSpan(4), stopAtBoundary: true));
        Assert.True(tracker.AtBoundary);
    }

    [Fact]
    public void Advance_WithoutStopping_FollowsEveryFrame()
    {
        byte[] stream = [.. Frame(10), .. Frame(300), .. Frame(1)];
        var tracker = new WebSocketFrameTracker();

        Assert.Equal(stream.Length - 1, tracker.Advance(stream.AsSpan(0, stream.Length - 1), stopAtBoundary: false));
        Assert.False(tracker.AtBoundary);
        Assert.Equal(1, tracker.Advance(stream.AsSpan(stream.Length - 1), stopAtBoundary: false));
        Assert.True(tracker.AtBoundary);
    }
}
