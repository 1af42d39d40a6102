using System.Buffers.Binary;

namespace Gateway.Lifecycle;

/// <summary>
/// Follows the frame boundaries of a WebSocket byte stream (RFC 6455, section 5.2) as it passes through,
/// without buffering it: header bytes are looked at, payloads are only counted. Knowing where a frame ends
/// is what lets the gateway slip its own close frame into a proxied connection without cutting a frame.
/// </summary>
internal struct WebSocketFrameTracker
{
    private const int MaxHeaderLength = 14;

    private HeaderBytes _header;
    private int _headerRead;
    private int _headerLength;
    private ulong _payloadLeft;

    /// <summary>True between frames: the next byte, if any, starts a new frame.</summary>
    public readonly bool AtBoundary => _headerRead == 0 && _payloadLeft == 0;

    /// <summary>
    /// Takes bytes of the stream in order and returns how many it took: all of them, or, when
    /// <paramref name="stopAtBoundary"/> is set, only up to the end of the frame they are in.
    /// </summary>
    public int Advance(ReadOnlySpan<byte> data, bool stopAtBoundary)
    {
        var taken = 0;
        while (taken < data.Length)
        {
            if (_payloadLeft > 0)
            {
                var step = (int)Math.Min(_payloadLeft, (ulong)(data.Length - taken));
                _payloadLeft -= (ulong)step;
                taken += step;
            }
            else
            {
                _header[_headerRead++] = data[taken++];
                if (_headerRead == 2)
                {
                    var lengthCode = _header[1] & 0x7F;
                    var maskLength = (_header[1] & 0x80) != 0 ? 4 : 0;
                    _headerLength = 2 + maskLength + lengthCode switch { 126 => 2, 127 => 8, _ => 0 };
                }

                if (_headerRead < 2 || _headerRead < _headerLength)
                {
                    continue;
                }

                _payloadLeft = PayloadLength();
                _headerRead = 0;
            }

            if (stopAtBoundary && AtBoundary)
            {
                break;
            }
        }

        return taken;
    }

    private readonly ulong PayloadLength()
    {
        ReadOnlySpan<byte> header = _header;
        return (header[1] & 0x7F) switch
        {
            126 => BinaryPrimitives.ReadUInt16BigEndian(header[2..]),
            127 => BinaryPrimitives.ReadUInt64BigEndian(header[2..]),
            var length => (ulong)length,
        };
    }

    [System.Runtime.CompilerServices.InlineArray(MaxHeaderLength)]
    private struct HeaderBytes
    {
        private byte _first;
    }
}
