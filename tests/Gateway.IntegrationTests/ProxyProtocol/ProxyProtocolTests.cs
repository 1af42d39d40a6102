using System.Net;
using Gateway.IntegrationTests.Infrastructure;
using Gateway.ProxyProtocol;
using Gateway.Tests.ProxyProtocol;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.IntegrationTests.ProxyProtocol;

/// <summary>Real PROXY protocol headers over raw sockets to the gateway's public listener.</summary>
public sealed class ProxyProtocolTests : IAsyncLifetime
{
    private static readonly IPEndPoint s_client = IPEndPoint.Parse("203.0.113.50:41000");
    private static readonly IPEndPoint s_client6 = IPEndPoint.Parse("[2001:db8:85a3::8a2e:370:7334]:41000");
    private static readonly IPEndPoint s_balancer = IPEndPoint.Parse("10.0.0.5:80");
    private static readonly IPEndPoint s_balancer6 = IPEndPoint.Parse("[2001:db8::1]:80");

    private readonly LogSink _logs = new();
    private TestBackend _backend = null!;

    public async Task InitializeAsync()
    {
        _backend = await TestBackend.StartAsync("echo");
        _backend.Handler = context =>
        {
            var forwardedFor = context.Request.Headers["X-Forwarded-For"].ToString();
            context.Response.ContentLength = forwardedFor.Length;
            return context.Response.WriteAsync(forwardedFor);
        };
    }

    public async Task DisposeAsync() => await _backend.DisposeAsync();

    [Fact]
    public async Task ProxyV1_Required_ClientFromHeaderReachesBackend()
    {
        using var gateway = StartGateway("Required");

        var forwardedFor = await RequestAsync(gateway, ProxyHeaders.V1(s_client, s_balancer));

        Assert.Equal("203.0.113.50", forwardedFor);
    }

    [Fact]
    public async Task ProxyV2WithTlvsAndCrc32C_Required_ClientFromHeaderReachesBackend()
    {
        using var gateway = StartGateway("Required");

        var forwardedFor = await RequestAsync(gateway, ProxyHeaders.V2WithCrc32C(s_client, s_balancer));

        Assert.Equal("203.0.113.50", forwardedFor);
    }

    [Fact]
    public async Task ProxyV2Ipv6_Required_ClientFromHeaderReachesBackend()
    {
        using var gateway = StartGateway("Required");

        var forwardedFor = await RequestAsync(gateway, ProxyHeaders.V2(s_client6, s_balancer6, (ProxyHeaders.TlvAuthority, "example.com"u8.ToArray())));

        Assert.Equal("2001:db8:85a3::8a2e:370:7334", forwardedFor);
    }

    [Fact]
    public async Task ProxyV2Local_Required_TcpPeerReachesBackend()
    {
        using var gateway = StartGateway("Required");

        var forwardedFor = await RequestAsync(gateway, ProxyHeaders.V2Local());

        Assert.Equal("127.0.0.1", forwardedFor);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task HeaderSplitAcrossTcpWrites_Required_StillParses(int version)
    {
        using var gateway = StartGateway("Required");
        var header = version == 1 ? ProxyHeaders.V1(s_client, s_balancer) : ProxyHeaders.V2WithCrc32C(s_client, s_balancer);
        await using var connection = await RawConnection.OpenAsync(gateway.PublicAddress);

        await connection.SendInPiecesAsync(header, pieceLength: 3);
        await connection.SendAsync(RawConnection.Get());

        Assert.Equal("203.0.113.50", RawConnection.BodyOf(await connection.ReadToEndAsync()));
    }

    [Fact]
    public async Task KeepAliveConnection_OneHeader_EveryRequestUsesItsClient()
    {
        using var gateway = StartGateway("Required");
        await using var connection = await RawConnection.OpenAsync(gateway.PublicAddress);
        var keepAlive = "GET /first HTTP/1.1\r\nHost: gateway.test\r\n\r\n";

        await connection.SendAsync([.. ProxyHeaders.V1(s_client, s_balancer), .. System.Text.Encoding.ASCII.GetBytes(keepAlive + RawConnection.Get("/second"))]);
        var responses = await connection.ReadToEndAsync();

        Assert.Equal(2, CountOccurrences(responses, "HTTP/1.1 200"));
        Assert.Equal(2, CountOccurrences(responses, "203.0.113.50"));
    }

    [Theory]
    [InlineData("PROXY TCP4 203.0.113.50 10.0.0.5 41000\r\n", "four address and port fields")]
    [InlineData("PROXY TCP4 203.0.113.999 10.0.0.5 41000 80\r\n", "invalid IPv4 address")]
    [InlineData("PROXY TCP9 a b c d\r\n", "unknown protocol")]
    public async Task MalformedV1Header_Required_ClosedWithoutAnswerAndLogged(string header, string reason)
    {
        using var gateway = StartGateway("Required");

        var response = await SendAsync(gateway, ProxyHeaders.V1(header), RawConnection.Get());

        Assert.Equal(string.Empty, response);
        var logged = await _logs.WaitForAsync(e => e.Message.Contains("malformed PROXY protocol header", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, logged.Level);
        Assert.Contains(reason, logged.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedV2Header_Optional_ClosedWithoutAnswerAndLogged()
    {
        using var gateway = StartGateway("Optional");

        var response = await SendAsync(gateway, ProxyHeaders.V2WithCrc32C(s_client, s_balancer, corrupt: true), RawConnection.Get());

        Assert.Equal(string.Empty, response);
        var logged = await _logs.WaitForAsync(e => e.Message.Contains("malformed PROXY protocol header", StringComparison.Ordinal));
        Assert.Contains("CRC32C", logged.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task TruncatedHeader_ClientStopsSending_ClosedAndLogged(int version)
    {
        using var gateway = StartGateway("Required");
        var header = version == 1 ? ProxyHeaders.V1(s_client, s_balancer) : ProxyHeaders.V2(s_client, s_balancer);
        await using var connection = await RawConnection.OpenAsync(gateway.PublicAddress);

        await connection.SendAsync(header[..(header.Length - 3)]);
        connection.EndSending();

        Assert.Equal(string.Empty, await connection.ReadToEndAsync());
        var logged = await _logs.WaitForAsync(e => e.Message.Contains("inside a PROXY protocol header", StringComparison.Ordinal));
        Assert.Contains($"after {header.Length - 3} bytes", logged.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StalledHeader_ClosedAtRequestHeadersTimeoutAndLogged()
    {
        using var gateway = StartGateway("Required", new() { ["Kestrel:Limits:RequestHeadersTimeout"] = "00:00:01" });
        await using var connection = await RawConnection.OpenAsync(gateway.PublicAddress);

        await connection.SendAsync(ProxyHeaders.V1(s_client, s_balancer)[..12]);

        Assert.Equal(string.Empty, await connection.ReadToEndAsync());
        var logged = await _logs.WaitForAsync(e => e.Message.Contains("no complete PROXY protocol header", StringComparison.Ordinal));
        Assert.Contains("12 bytes", logged.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoHeader_Required_ClosedAndLogged()
    {
        using var gateway = StartGateway("Required");

        var response = await SendAsync(gateway, [], RawConnection.Get());

        Assert.Equal(string.Empty, response);
        var logged = await _logs.WaitForAsync(e => e.Message.Contains("without a PROXY protocol header", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, logged.Level);
    }

    [Fact]
    public async Task NoHeader_Optional_ServedWithTcpPeer()
    {
        using var gateway = StartGateway("Optional");

        var forwardedFor = await RequestAsync(gateway, []);

        Assert.Equal("127.0.0.1", forwardedFor);
    }

    [Fact]
    public async Task Header_Optional_ClientFromHeaderReachesBackend()
    {
        using var gateway = StartGateway("Optional");

        var forwardedFor = await RequestAsync(gateway, ProxyHeaders.V1(s_client, s_balancer));

        Assert.Equal("203.0.113.50", forwardedFor);
    }

    [Fact]
    public async Task HttpClient_Optional_ServedAsUsual()
    {
        using var gateway = StartGateway("Optional");
        using var client = gateway.CreatePublicClient();

        Assert.Equal("127.0.0.1", await client.GetStringAsync("/"));
    }

    [Fact]
    public async Task Header_Off_NotInterpretedAndRejectedAsBadRequest()
    {
        using var gateway = StartGateway("Off");

        var response = await SendAsync(gateway, ProxyHeaders.V1(s_client, s_balancer), RawConnection.Get());

        Assert.StartsWith("HTTP/1.1 400", response, StringComparison.Ordinal);
        Assert.Equal(0, _backend.Requests);
    }

    private GatewayFactory StartGateway(string mode, Dictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>(settings ?? []) { ["Gateway:ProxyProtocol:Mode"] = mode };
        var gateway = new GatewayFactory(Configs.SingleCluster("RoundRobin", _backend), all)
        {
            ConfigureTestServices = services => services.AddSingleton(_logs.For<ProxyProtocolConnectionMiddleware>()),
        };
        _ = gateway.PublicAddress;
        return gateway;
    }

    private static async Task<string> RequestAsync(GatewayFactory gateway, byte[] header)
        => RawConnection.BodyOf(await SendAsync(gateway, header, RawConnection.Get()));

    private static async Task<string> SendAsync(GatewayFactory gateway, byte[] header, string request)
    {
        await using var connection = await RawConnection.OpenAsync(gateway.PublicAddress);
        await connection.SendAsync([.. header, .. System.Text.Encoding.ASCII.GetBytes(request)]);
        return await connection.ReadToEndAsync();
    }

    private static int CountOccurrences(string text, string value)
        => (text.Length - text.Replace(value, string.Empty, StringComparison.Ordinal).Length) / value.Length;
}
