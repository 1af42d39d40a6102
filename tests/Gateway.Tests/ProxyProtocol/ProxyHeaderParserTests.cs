using System.Buffers;
using System.Net;
using System.Text;
using Gateway.ProxyProtocol;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.ProxyProtocol;

public sealed class ProxyHeaderParserTests
{
    private static readonly IPEndPoint s_client4 = IPEndPoint.Parse("203.0.113.7:51234");
    private static readonly IPEndPoint s_balancer4 = IPEndPoint.Parse("10.0.0.5:443");
    private static readonly IPEndPoint s_client6 = IPEndPoint.Parse("[2001:db8::42]:40000");
    private static readonly IPEndPoint s_balancer6 = IPEndPoint.Parse("[2001:db8::1]:443");
    private static readonly byte[] s_request = "GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray();

    [Fact]
    public void TryParse_V1Tcp4_GivesSourceAndEndsAfterCrlf()
    {
        var header = ProxyHeaders.V1("PROXY TCP4 203.0.113.7 10.0.0.5 51234 443\r\n");

        var (status, parsed, rest) = Parse([.. header, .. s_request]);

        Assert.Equal(ProxyHeaderStatus.Parsed, status);
        Assert.Equal(1, parsed.Version);
        Assert.Equal(s_client4, parsed.Source);
        Assert.Equal(s_request, rest);
    }

    [Fact]
    public void TryParse_V1Tcp6_GivesSource()
    {
        var (status, parsed, _) = Parse(ProxyHeaders.V1(s_client6, s_balancer6));

        Assert.Equal(ProxyHeaderStatus.Parsed, status);
        Assert.Equal(s_client6, parsed.Source);
    }

    [Theory]
    [InlineData("PROXY UNKNOWN\r\n")]
    [InlineData("PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n")]
    public void TryParse_V1Unknown_KeepsConnectionAddress(string line)
    {
        var (status, parsed, rest) = Parse([.. ProxyHeaders.V1(line), .. s_request]);

        Assert.Equal(ProxyHeaderStatus.Parsed, status);
        Assert.Null(parsed.Source);
        Assert.Equal(s_request, rest);
    }

    [Fact]
    public void TryParse_V1LongestHeaders_Parse()
    {
        const string Address = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";
        var longest = $"PROXY UNKNOWN {Address} {Address} 65535 65535\r\n";
        Assert.Equal(ProxyHeaderParser.V1MaxLength, longest.Length);

        var (unknownStatus, _, _) = Parse(ProxyHeaders.V1(longest));
        var (tcp6Status, tcp6, _) = Parse(ProxyHeaders.V1($"PROXY TCP6 {Address} {Address} 65535 65535\r\n"));

        Assert.Equal(ProxyHeaderStatus.Parsed, unknownStatus);
        Assert.Equal(ProxyHeaderStatus.Parsed, tcp6Status);
        Assert.Equal(65535, tcp6.Source!.Port);
    }

    [Theory]
    [InlineData("PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n")]
    [InlineData("PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n")]
    [InlineData("PROXY TCP4 127.1 5.6.7.8 1 2\r\n")]
    [InlineData("PROXY TCP4 0x7f.0.0.1 5.6.7.8 1 2\r\n")]
    [InlineData("PROXY TCP4 1.2.3.256 5.6.7.8 1 2\r\n")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7 1 2\r\n")]
    [InlineData("PROXY TCP4 ::1 5.6.7.8 1 2\r\n")]
    [InlineData("PROXY TCP6 1.2.3.4 ::1 1 2\r\n")]
    [InlineData("PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 080 2\r\n")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n")]
    [InlineData("PROXY \r\n")]
    public void TryParse_V1Malformed_Invalid(string line)
    {
        var (status, _, _) = Parse(ProxyHeaders.V1(line));

        Assert.Equal(ProxyHeaderStatus.Invalid, status);
    }

    [Fact]
    public void TryParse_V1NoCrlfWithin107Bytes_Invalid()
    {
        var (status, _, _) = Parse(ProxyHeaders.V1("PROXY TCP4 " + new string('1', 120)));

        Assert.Equal(ProxyHeaderStatus.Invalid, status);
    }

    [Fact]
    public void TryParse_V1EveryPrefix_Incomplete()
    {
        var header = ProxyHeaders.V1(s_client4, s_balancer4);
        for (var length = 0; length < header.Length; length++)
        {
            Assert.Equal(ProxyHeaderStatus.Incomplete, Parse(header[..length]).Status);
        }
    }

    [Fact]
    public void TryParse_V1SplitAtEveryByte_Parses()
    {
        byte[] bytes = [.. ProxyHeaders.V1(s_client4, s_balancer4), .. s_request];
        for (var cut = 1; cut < bytes.Length; cut++)
        {
            var (status, parsed, rest) = Parse(Segments.Split(bytes, cut));

            Assert.Equal(ProxyHeaderStatus.Parsed, status);
            Assert.Equal(s_client4, parsed.Source);
            Assert.Equal(s_request, rest);
        }
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n")]
    [InlineData("POST /x HTTP/1.1\r\n")]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")]
    [InlineData("PROXZ TCP4 1.2.3.4 5.6.7.8 1 2\r\n")]
    [InlineData("\r\n\r\nhello")]
    public void TryParse_OtherProtocols_NotProxy(string text)
    {
        Assert.Equal(ProxyHeaderStatus.NotProxy, Parse(Encoding.ASCII.GetBytes(text)).Status);
    }

    [Fact]
    public void TryParse_TlsClientHello_NotProxyFromFirstByte()
    {
        Assert.Equal(ProxyHeaderStatus.NotProxy, Parse([0x16]).Status);
    }

    [Theory]
    [InlineData("P")]
    [InlineData("PRO")]
    [InlineData("PROXY")]
    public void TryParse_PrefixOfV1Signature_Incomplete(string text)
    {
        Assert.Equal(ProxyHeaderStatus.Incomplete, Parse(Encoding.ASCII.GetBytes(text)).Status);
    }

    [Fact]
    public void TryParse_V2Ipv4_GivesSource()
    {
        var (status, parsed, rest) = Parse([.. ProxyHeaders.V2(s_client4, s_balancer4), .. s_request]);

        Assert.Equal(ProxyHeaderStatus.Parsed, status);
        Assert.Equal(2, parsed.Version);
        Assert.Equal(s_client4, parsed.Source);
        Assert.Equal(s_request, rest);
    }

    [Fact]
    public void TryParse_V2Ipv6_GivesSource()
    {
        var (status, parsed, _) = Parse(ProxyHeaders.V2(s_client6, s_balancer6));

        Assert.Equal(ProxyHeaderStatus.Parsed, status);
        Assert.Equal(s_client6, parsed.Source);
    }

    [Fact]
    public void TryParse_V2Local_KeepsConnectionAddressAndSkipsBlock()
    {
        var (status, parsed, rest) = Parse([.. ProxyHeaders.V2Local(), .. s_request]);

        Assert.Equal(ProxyHeaderStatus.Parsed, status);
        Assert.Null(parsed.Source);
        Assert.Equal(s_request, rest);
    }

    [Fact]
    public void TryParse_V2WithTlvs_SkipsThemToTheData()
    {
        var header = ProxyHeaders.V2(s_client4, s_balancer4,
            (ProxyHeaders.TlvAlpn, "h2"u8.ToArray()),
            (ProxyHeaders.TlvAuthority, "example.com"u8.ToArray()),
            (ProxyHeaders.TlvNoop, []),
            (ProxyHeaders.TlvAws, [0x01, .. "vpce-08d2bf15fac5001c9"u8]));

        var (status, parsed, rest) = Parse([.. header, .. s_request]);

        Assert.Equal(ProxyHeaderStatus.Parsed, status);
        Assert.Equal(s_client4, parsed.Source);
        Assert.Equal(s_request, rest);
    }

    [Fact]
    public void TryParse_V2TlvLongerThanHeader_Invalid()
    {
        var header = ProxyHeaders.V2(s_client4, s_balancer4, (ProxyHeaders.TlvAuthority, "example.com"u8.ToArray()));
        header[^12] = 0x7F;

        Assert.Equal(ProxyHeaderStatus.Invalid, Parse(header).Status);
    }

    [Fact]
    public void TryParse_V2TruncatedTlvHeader_Invalid()
    {
        var block = ProxyHeaders.V2(s_client4, s_balancer4)[16..];
        var header = ProxyHeaders.V2Raw(0x21, 0x11, [.. block, ProxyHeaders.TlvNoop, 0x00]);

        Assert.Equal(ProxyHeaderStatus.Invalid, Parse(header).Status);
    }

    [Fact]
    public void TryParse_V2MatchingCrc32C_Parses()
    {
        var (status, parsed, _) = Parse(ProxyHeaders.V2WithCrc32C(s_client4, s_balancer4));

        Assert.Equal(ProxyHeaderStatus.Parsed, status);
        Assert.Equal(s_client4, parsed.Source);
    }

    [Fact]
    public void TryParse_V2WrongCrc32C_Invalid()
    {
        Assert.Equal(ProxyHeaderStatus.Invalid, Parse(ProxyHeaders.V2WithCrc32C(s_client4, s_balancer4, corrupt: true)).Status);
    }

    [Fact]
    public void Crc32C_CheckValue_MatchesStandard()
    {
        var data = "123456789"u8.ToArray();

        Assert.Equal(0xE3069283u, ProxyHeaders.ReferenceCrc32C(data));
        Assert.Equal(0xE3069283u, ProxyHeaderParser.Crc32C(Segments.Split(data, 4), checksumOffset: data.Length));
    }

    [Theory]
    [InlineData(0x11, 0x11)] // version 1
    [InlineData(0x31, 0x11)] // version 3
    [InlineData(0x22, 0x11)] // command 2
    [InlineData(0x21, 0x41)] // family 4
    [InlineData(0x21, 0x13)] // transport 3
    public void TryParse_V2BadVersionCommandOrFamily_Invalid(byte versionCommand, byte family)
    {
        var header = ProxyHeaders.V2Raw(versionCommand, family, new byte[12]);

        Assert.Equal(ProxyHeaderStatus.Invalid, Parse(header).Status);
    }

    [Theory]
    [InlineData(0x11, 11)]
    [InlineData(0x21, 35)]
    [InlineData(0x31, 215)]
    public void TryParse_V2BlockShorterThanAddresses_Invalid(byte family, int length)
    {
        Assert.Equal(ProxyHeaderStatus.Invalid, Parse(ProxyHeaders.V2Raw(0x21, family, new byte[length])).Status);
    }

    [Theory]
    [InlineData(0x00, 0)] // UNSPEC
    [InlineData(0x12, 12)] // UDP over IPv4
    [InlineData(0x31, 216)] // UNIX stream
    public void TryParse_V2FamilyWithoutTcpAddress_KeepsConnectionAddress(byte family, int length)
    {
        var (status, parsed, _) = Parse(ProxyHeaders.V2Raw(0x21, family, new byte[length]));

        Assert.Equal(ProxyHeaderStatus.Parsed, status);
        Assert.Null(parsed.Source);
    }

    [Fact]
    public void TryParse_V2EveryPrefix_Incomplete()
    {
        var header = ProxyHeaders.V2WithCrc32C(s_client6, s_balancer6);
        for (var length = 0; length < header.Length; length++)
        {
            Assert.Equal(ProxyHeaderStatus.Incomplete, Parse(header[..length]).Status);
        }
    }

    [Fact]
    public void TryParse_V2SplitAtEveryByte_Parses()
    {
        byte[] bytes = [.. ProxyHeaders.V2WithCrc32C(s_client6, s_balancer6), .. s_request];
        for (var cut = 1; cut < bytes.Length; cut++)
        {
            var (status, parsed, rest) = Parse(Segments.Split(bytes, cut, Math.Min(cut + 7, bytes.Length)));

            Assert.Equal(ProxyHeaderStatus.Parsed, status);
            Assert.Equal(s_client6, parsed.Source);
            Assert.Equal(s_request, rest);
        }
    }

    [Fact]
    public void TryParse_BrokenSignature_NotProxy()
    {
        byte[] header = [.. ProxyHeaders.V2(s_client4, s_balancer4)];
        header[6] ^= 0xFF;

        Assert.Equal(ProxyHeaderStatus.NotProxy, Parse(header).Status);
    }

    [Fact]
    public void TryParse_HappyPaths_AllocateOnlyTheSourceAddress()
    {
        var v1 = new ReadOnlySequence<byte>(ProxyHeaders.V1(s_client4, s_balancer4));
        var v2 = Segments.Split(ProxyHeaders.V2WithCrc32C(s_client6, s_balancer6), 10, 30);
        var local = new ReadOnlySequence<byte>(ProxyHeaders.V2Local());
        var unknown = new ReadOnlySequence<byte>(ProxyHeaders.V1("PROXY UNKNOWN\r\n"));
        var request = new ReadOnlySequence<byte>(s_request);
        byte[] v4Bytes = [203, 0, 113, 7];
        var v6Bytes = s_client6.Address.GetAddressBytes();

        for (var warmUp = 0; warmUp < 3; warmUp++)
        {
            _ = ProxyHeaderParser.TryParse(v1, out _, out _, out _);
            _ = ProxyHeaderParser.TryParse(v2, out _, out _, out _);
            _ = ProxyHeaderParser.TryParse(local, out _, out _, out _);
            _ = ProxyHeaderParser.TryParse(unknown, out _, out _, out _);
            _ = ProxyHeaderParser.TryParse(request, out _, out _, out _);
            _ = new IPEndPoint(new IPAddress(v4Bytes), 1);
            _ = new IPEndPoint(new IPAddress(v6Bytes), 1);
        }

        var endPoint4 = Allocated(() => _ = new IPEndPoint(new IPAddress(v4Bytes), 1));
        var endPoint6 = Allocated(() => _ = new IPEndPoint(new IPAddress(v6Bytes), 1));

        Assert.Equal(endPoint4, Allocated(() => ProxyHeaderParser.TryParse(v1, out _, out _, out _)));
        Assert.Equal(endPoint6, Allocated(() => ProxyHeaderParser.TryParse(v2, out _, out _, out _)));
        Assert.Equal(0, Allocated(() => ProxyHeaderParser.TryParse(local, out _, out _, out _)));
        Assert.Equal(0, Allocated(() => ProxyHeaderParser.TryParse(unknown, out _, out _, out _)));
        Assert.Equal(0, Allocated(() => ProxyHeaderParser.TryParse(request, out _, out _, out _)));

        static long Allocated(Action action)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            action();
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
    }

    private static (ProxyHeaderStatus Status, ProxyHeader Header, byte[] Remaining) Parse(byte[] bytes) => Parse(new ReadOnlySequence<byte>(bytes));

    private static (ProxyHeaderStatus Status, ProxyHeader Header, byte[] Remaining) Parse(ReadOnlySequence<byte> buffer)
    {
        var status = ProxyHeaderParser.TryParse(buffer, out var header, out var end, out var error);
        if (status == ProxyHeaderStatus.Invalid)
        {
            Assert.False(string.IsNullOrEmpty(error));
        }

        return (status, header, status == ProxyHeaderStatus.Parsed ? buffer.Slice(end).ToArray() : []);
    }
}
