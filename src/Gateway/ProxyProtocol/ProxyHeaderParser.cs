using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Numerics;

namespace Gateway.ProxyProtocol;

internal enum ProxyHeaderStatus
{
    /// <summary>What has arrived so far may still become a valid header: read more.</summary>
    Incomplete,

    /// <summary>The bytes cannot start a PROXY header (for example an HTTP request line or a TLS hello).</summary>
    NotProxy,

    /// <summary>The bytes start a PROXY header but break its rules.</summary>
    Invalid,

    /// <summary>A whole header was read; the connection's own bytes follow it.</summary>
    Parsed,
}

/// <summary>
/// What a PROXY header says about the connection. <see cref="Source"/> is null when the connection's own
/// addresses stand: a v2 <c>LOCAL</c> command (the balancer's own health check), a v1 <c>UNKNOWN</c>, or a
/// family other than TCP over IPv4 or IPv6.
/// </summary>
internal readonly record struct ProxyHeader(int Version, IPEndPoint? Source);

/// <summary>
/// The PROXY protocol, versions 1 (text) and 2 (binary), as HAProxy specifies it
/// (https://www.haproxy.org/download/2.9/doc/proxy-protocol.txt). Works on a <see cref="ReadOnlySequence{T}"/>
/// so a header split across reads or buffer segments parses the same, and allocates nothing but the
/// source address it returns. Error texts are constants so a rejected connection costs no string building.
/// </summary>
internal static class ProxyHeaderParser
{
    public const int V1MaxLength = 107;
    public const int V2FixedLength = 16;

    private const int V2AddressLengthIPv4 = 12;
    private const int V2AddressLengthIPv6 = 36;
    private const int V2AddressLengthUnix = 216;
    private const byte TlvTypeCrc32C = 0x03;

    private static ReadOnlySpan<byte> V1Prefix => "PROXY "u8;

    private static ReadOnlySpan<byte> V2Signature => [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    /// <summary>
    /// Reads one header from the start of <paramref name="buffer"/>. On <see cref="ProxyHeaderStatus.Parsed"/>,
    /// <paramref name="end"/> is the first byte after it; on <see cref="ProxyHeaderStatus.Invalid"/>,
    /// <paramref name="error"/> says why.
    /// </summary>
    public static ProxyHeaderStatus TryParse(in ReadOnlySequence<byte> buffer, out ProxyHeader header, out SequencePosition end, out string? error)
    {
        header = default;
        end = buffer.Start;
        error = null;

        Span<byte> start = stackalloc byte[V2FixedLength];
        var available = (int)Math.Min(buffer.Length, V2FixedLength);
        buffer.Slice(0, available).CopyTo(start);
        start = start[..available];

        if (available == 0)
        {
            return ProxyHeaderStatus.Incomplete;
        }

        if (start[0] == V1Prefix[0])
        {
            var compared = Math.Min(available, V1Prefix.Length);
            if (!start[..compared].SequenceEqual(V1Prefix[..compared]))
            {
                return ProxyHeaderStatus.NotProxy;
            }

            return compared < V1Prefix.Length
                ? ProxyHeaderStatus.Incomplete
                : ParseV1(buffer, out header, out end, out error);
        }

        if (start[0] == V2Signature[0])
        {
            var compared = Math.Min(available, V2Signature.Length);
            if (!start[..compared].SequenceEqual(V2Signature[..compared]))
            {
                return ProxyHeaderStatus.NotProxy;
            }

            return available < V2FixedLength
                ? ProxyHeaderStatus.Incomplete
                : ParseV2(buffer, start, out header, out end, out error);
        }

        return ProxyHeaderStatus.NotProxy;
    }

    private static ProxyHeaderStatus ParseV1(in ReadOnlySequence<byte> buffer, out ProxyHeader header, out SequencePosition end, out string? error)
    {
        header = default;
        end = buffer.Start;
        error = null;

        var window = buffer.Slice(0, Math.Min(buffer.Length, V1MaxLength));
        if (window.PositionOf((byte)'\n') is not { } newline)
        {
            if (buffer.Length >= V1MaxLength)
            {
                error = "v1 header has no CRLF within 107 bytes";
                return ProxyHeaderStatus.Invalid;
            }

            return ProxyHeaderStatus.Incomplete;
        }

        Span<byte> lineBuffer = stackalloc byte[V1MaxLength];
        var lineSequence = buffer.Slice(0, newline);
        var line = lineBuffer[..(int)lineSequence.Length];
        lineSequence.CopyTo(line);
        if (line.Length == 0 || line[^1] != (byte)'\r')
        {
            error = "v1 header does not end with CRLF";
            return ProxyHeaderStatus.Invalid;
        }

        end = buffer.GetPosition(1, newline);
        var fields = line[V1Prefix.Length..^1];

        if (fields.StartsWith("UNKNOWN"u8) && (fields.Length == 7 || fields[7] == (byte)' '))
        {
            header = new ProxyHeader(1, null);
            return ProxyHeaderStatus.Parsed;
        }

        bool ipv6;
        if (fields.StartsWith("TCP4 "u8))
        {
            ipv6 = false;
        }
        else if (fields.StartsWith("TCP6 "u8))
        {
            ipv6 = true;
        }
        else
        {
            error = "v1 header has an unknown protocol (TCP4, TCP6 or UNKNOWN expected)";
            return ProxyHeaderStatus.Invalid;
        }

        fields = fields[5..];
        if (!TakeField(ref fields, out var sourceText)
            || !TakeField(ref fields, out var destinationText)
            || !TakeField(ref fields, out var sourcePortText)
            || !TakeField(ref fields, out var destinationPortText)
            || !fields.IsEmpty)
        {
            error = "v1 header does not have four address and port fields separated by single spaces";
            return ProxyHeaderStatus.Invalid;
        }

        if (!IsAddressSyntax(destinationText, ipv6) || !IPAddress.IsValidUtf8(destinationText)
            || !IsAddressSyntax(sourceText, ipv6) || !IPAddress.TryParse(sourceText, out var source))
        {
            error = ipv6 ? "v1 header has an invalid IPv6 address" : "v1 header has an invalid IPv4 address";
            return ProxyHeaderStatus.Invalid;
        }

        if (!TryParsePort(sourcePortText, out var sourcePort) || !TryParsePort(destinationPortText, out _))
        {
            error = "v1 header has an invalid port";
            return ProxyHeaderStatus.Invalid;
        }

        header = new ProxyHeader(1, new IPEndPoint(source, sourcePort));
        return ProxyHeaderStatus.Parsed;
    }

    private static ProxyHeaderStatus ParseV2(in ReadOnlySequence<byte> buffer, ReadOnlySpan<byte> fixedPart, out ProxyHeader header, out SequencePosition end, out string? error)
    {
        header = default;
        end = buffer.Start;
        error = null;

        var versionCommand = fixedPart[12];
        if (versionCommand >> 4 != 2)
        {
            error = "v2 header has an unsupported version";
            return ProxyHeaderStatus.Invalid;
        }

        var command = versionCommand & 0x0F;
        if (command > 1)
        {
            error = "v2 header has an unknown command (LOCAL or PROXY expected)";
            return ProxyHeaderStatus.Invalid;
        }

        var family = fixedPart[13] >> 4;
        var transport = fixedPart[13] & 0x0F;
        if (family > 3 || transport > 2)
        {
            error = "v2 header has an unknown address family or transport";
            return ProxyHeaderStatus.Invalid;
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(fixedPart[14..]);
        var total = V2FixedLength + length;
        if (buffer.Length < total)
        {
            return ProxyHeaderStatus.Incomplete;
        }

        end = buffer.GetPosition(total);

        // LOCAL is the balancer speaking for itself (its health checks): the block is skipped unread, as the
        // specification asks, and the connection keeps its real addresses.
        if (command == 0)
        {
            header = new ProxyHeader(2, null);
            return ProxyHeaderStatus.Parsed;
        }

        var addressLength = family switch
        {
            1 => V2AddressLengthIPv4,
            2 => V2AddressLengthIPv6,
            3 => V2AddressLengthUnix,
            _ => 0,
        };
        if (length < addressLength)
        {
            error = "v2 header is shorter than its address family requires";
            return ProxyHeaderStatus.Invalid;
        }

        var block = buffer.Slice(V2FixedLength, length);
        if (!TryCheckTlvs(buffer.Slice(0, total), block.Slice(addressLength), out error))
        {
            return ProxyHeaderStatus.Invalid;
        }

        IPEndPoint? source = null;
        if (transport == 1 && family is 1 or 2)
        {
            Span<byte> addresses = stackalloc byte[V2AddressLengthIPv6];
            addresses = addresses[..addressLength];
            block.Slice(0, addressLength).CopyTo(addresses);
            source = family == 1
                ? new IPEndPoint(new IPAddress(addresses[..4]), BinaryPrimitives.ReadUInt16BigEndian(addresses[8..]))
                : new IPEndPoint(new IPAddress(addresses[..16]), BinaryPrimitives.ReadUInt16BigEndian(addresses[32..]));
        }

        header = new ProxyHeader(2, source);
        return ProxyHeaderStatus.Parsed;
    }

    /// <summary>
    /// Walks the type-length-value records after the addresses: each must fit exactly in the block. Their
    /// contents are not used by the gateway, except a CRC32C record, which must match the header.
    /// </summary>
    private static bool TryCheckTlvs(in ReadOnlySequence<byte> wholeHeader, in ReadOnlySequence<byte> tlvs, out string? error)
    {
        error = null;
        Span<byte> expected = stackalloc byte[4];
        var reader = new SequenceReader<byte>(tlvs);
        while (!reader.End)
        {
            if (!reader.TryRead(out var type) || !reader.TryReadBigEndian(out short signedLength))
            {
                error = "v2 header has a truncated TLV";
                return false;
            }

            var length = (ushort)signedLength;
            if (reader.Remaining < length)
            {
                error = "v2 header has a TLV longer than the header";
                return false;
            }

            if (type == TlvTypeCrc32C)
            {
                if (length != 4 || !reader.TryCopyTo(expected))
                {
                    error = "v2 header has a CRC32C TLV that is not 4 bytes";
                    return false;
                }

                var offset = wholeHeader.Length - tlvs.Length + reader.Consumed;
                if (Crc32C(wholeHeader, offset) != BinaryPrimitives.ReadUInt32BigEndian(expected))
                {
                    error = "v2 header fails its CRC32C check";
                    return false;
                }
            }

            reader.Advance(length);
        }

        return true;
    }

    /// <summary>CRC32C (Castagnoli) of the header with its 4-byte checksum field, at <paramref name="checksumOffset"/>, taken as zeros.</summary>
    internal static uint Crc32C(in ReadOnlySequence<byte> header, long checksumOffset)
    {
        var crc = uint.MaxValue;
        long position = 0;
        foreach (var segment in header)
        {
            foreach (var value in segment.Span)
            {
                var zeroed = position >= checksumOffset && position < checksumOffset + 4;
                crc = BitOperations.Crc32C(crc, zeroed ? (byte)0 : value);
                position++;
            }
        }

        return ~crc;
    }

    private static bool TakeField(ref Span<byte> fields, out ReadOnlySpan<byte> field)
    {
        var space = fields.IndexOf((byte)' ');
        if (space == 0)
        {
            field = default;
            return false;
        }

        if (space < 0)
        {
            field = fields;
            fields = [];
        }
        else
        {
            field = fields[..space];
            fields = fields[(space + 1)..];
            if (fields.IsEmpty)
            {
                return false;
            }
        }

        return !field.IsEmpty;
    }

    /// <summary>
    /// <see cref="IPAddress"/> also reads shorthand forms such as <c>127.1</c> or hexadecimal octets; the
    /// protocol allows only dotted quads for TCP4 and colon notation without a zone for TCP6.
    /// </summary>
    private static bool IsAddressSyntax(ReadOnlySpan<byte> text, bool ipv6)
    {
        if (ipv6)
        {
            return text.Contains((byte)':') && !text.Contains((byte)'%');
        }

        int dots = 0, digits = 0;
        foreach (var c in text)
        {
            if (c == (byte)'.')
            {
                if (digits == 0)
                {
                    return false;
                }

                dots++;
                digits = 0;
            }
            else if (c is >= (byte)'0' and <= (byte)'9' && digits < 3)
            {
                digits++;
            }
            else
            {
                return false;
            }
        }

        return dots == 3 && digits > 0;
    }

    private static bool TryParsePort(ReadOnlySpan<byte> text, out int port)
    {
        port = 0;
        if (text.IsEmpty || text.Length > 5 || (text[0] == (byte)'0' && text.Length > 1))
        {
            return false;
        }

        foreach (var c in text)
        {
            if (c is < (byte)'0' or > (byte)'9')
            {
                return false;
            }

            port = (port * 10) + (c - '0');
        }

        return port <= IPEndPoint.MaxPort;
    }
}
