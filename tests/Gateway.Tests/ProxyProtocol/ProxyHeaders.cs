using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Tests.ProxyProtocol;

/// <summary>
/// Builds PROXY protocol headers byte by byte from the specification, independently of the gateway's
/// parser (its own CRC32C included), for the unit tests and the raw-socket integration tests.
/// </summary>
public static class ProxyHeaders
{
    public const byte TlvAlpn = 0x01;
    public const byte TlvAuthority = 0x02;
    public const byte TlvCrc32C = 0x03;
    public const byte TlvNoop = 0x04;
    public const byte TlvAws = 0xEA;

    public static readonly byte[] V2Signature = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    public static byte[] V1(string line) => Encoding.ASCII.GetBytes(line);

    public static byte[] V1(IPEndPoint source, IPEndPoint destination)
        => V1($"PROXY {(source.AddressFamily == AddressFamily.InterNetwork ? "TCP4" : "TCP6")} {source.Address} {destination.Address} {source.Port} {destination.Port}\r\n");

    /// <summary>A v2 PROXY command over TCP, with optional TLVs after the addresses.</summary>
    public static byte[] V2(IPEndPoint source, IPEndPoint destination, params (byte Type, byte[] Value)[] tlvs)
    {
        var ipv4 = source.AddressFamily == AddressFamily.InterNetwork;
        var addresses = new List<byte>();
        addresses.AddRange(source.Address.GetAddressBytes());
        addresses.AddRange(destination.Address.GetAddressBytes());
        addresses.AddRange(BigEndian((ushort)source.Port));
        addresses.AddRange(BigEndian((ushort)destination.Port));
        return V2Raw(0x21, ipv4 ? (byte)0x11 : (byte)0x21, [.. addresses, .. Tlvs(tlvs)]);
    }

    /// <summary>A v2 LOCAL command (a balancer's own health check), carrying addresses that must be ignored.</summary>
    public static byte[] V2Local()
        => V2Raw(0x20, 0x11, [10, 9, 9, 9, 10, 0, 0, 1, 0x30, 0x39, 0x01, 0xBB]);

    /// <summary>Any version/command byte, family byte and block, with the length field computed.</summary>
    public static byte[] V2Raw(byte versionCommand, byte family, byte[] block)
        => [.. V2Signature, versionCommand, family, .. BigEndian((ushort)block.Length), .. block];

    /// <summary>A v2 header whose last TLV is a CRC32C of the whole header, correct or deliberately wrong.</summary>
    public static byte[] V2WithCrc32C(IPEndPoint source, IPEndPoint destination, bool corrupt = false)
    {
        var header = V2(source, destination, (TlvAws, [0x01, .. "vpce-0123"u8]), (TlvCrc32C, new byte[4]));
        var crc = ReferenceCrc32C(header);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(header.Length - 4), corrupt ? crc ^ 1 : crc);
        return header;
    }

    public static byte[] Tlvs(params (byte Type, byte[] Value)[] tlvs)
        => tlvs.SelectMany(t => (byte[])[t.Type, .. BigEndian((ushort)t.Value.Length), .. t.Value]).ToArray();

    /// <summary>Bitwise CRC32C (Castagnoli, reflected polynomial 0x82F63B78), the textbook way.</summary>
    public static uint ReferenceCrc32C(ReadOnlySpan<byte> data)
    {
        var crc = uint.MaxValue;
        foreach (var value in data)
        {
            crc ^= value;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
            }
        }

        return ~crc;
    }

    private static byte[] BigEndian(ushort value) => [(byte)(value >> 8), (byte)value];
}
