using System.IO.Hashing;
using System.Net;

namespace Gateway.LoadBalancing;

/// <summary>
/// A stable 64-bit hash of a client address: the same on every process, restart and replica (XxHash3 of
/// the address bytes, never <see cref="string.GetHashCode()"/>). An IPv4-mapped IPv6 address hashes as
/// the IPv4 address it carries.
/// </summary>
public static class ClientAddressHash
{
    public static ulong Compute(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var written);
        var span = bytes[..written];
        if (written == 16 && address.IsIPv4MappedToIPv6)
        {
            span = span[12..];
        }

        return XxHash3.HashToUInt64(span);
    }
}
