using System.Net;
using Gateway.IntegrationTests.Infrastructure;
using Gateway.Tests.ProxyProtocol;

namespace Gateway.IntegrationTests.ProxyProtocol;

public sealed class ProxyProtocolIpHashTests
{
    private static readonly IPEndPoint s_balancer = IPEndPoint.Parse("10.0.0.5:80");

    [Fact]
    public async Task IpHash_BehindProxyProtocol_FollowsTheHeaderClientNotTheTcpPeer()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        await using var c = await TestBackend.StartAsync("c");
        using var gateway = new GatewayFactory(Configs.SingleCluster("IpHash", a, b, c),
            new Dictionary<string, string?> { ["Gateway:ProxyProtocol:Mode"] = "Required" });

        // Every connection comes from 127.0.0.1; only the PROXY header tells the clients apart.
        var picks = new Dictionary<string, string>();
        for (var i = 1; i <= 24; i++)
        {
            var client = new IPEndPoint(IPAddress.Parse($"198.51.100.{i}"), 50000 + i);
            var first = await RequestAsync(gateway, ProxyHeaders.V2(client, s_balancer));
            var again = await RequestAsync(gateway, ProxyHeaders.V1(client, s_balancer));

            Assert.Equal(first, again);
            picks[client.Address.ToString()] = first;
        }

        Assert.True(picks.Values.Distinct().Count() >= 2, $"All 24 clients went to {picks.Values.First()}: the hash did not see the header's address.");
    }

    private static async Task<string> RequestAsync(GatewayFactory gateway, byte[] header)
    {
        await using var connection = await RawConnection.OpenAsync(gateway.PublicAddress);
        await connection.SendAsync([.. header, .. System.Text.Encoding.ASCII.GetBytes(RawConnection.Get())]);
        return RawConnection.BodyOf(await connection.ReadToEndAsync());
    }
}
