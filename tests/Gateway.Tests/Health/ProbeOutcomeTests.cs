using System.Net;
using System.Net.Sockets;
using Gateway.Health;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Gateway.Tests.Health;

public sealed class ProbeOutcomeTests
{
    private static readonly DestinationState s_destination = new("web1", new DestinationModel(new DestinationConfig { Address = "http://web1.test/" }));

    [Fact]
    public void Evaluate_ExpectedStatus_Ok()
    {
        var outcome = ProbeOutcome.Evaluate(new DestinationProbingResult(s_destination, new HttpResponseMessage(HttpStatusCode.NoContent), null), StatusCodeSet.Default, TimeSpan.FromSeconds(1));

        Assert.Equal(new ProbeOutcome(true, 204, null), outcome);
    }

    [Fact]
    public void Evaluate_UnexpectedStatus_FailsWithStatusReason()
    {
        var outcome = ProbeOutcome.Evaluate(new DestinationProbingResult(s_destination, new HttpResponseMessage(HttpStatusCode.ServiceUnavailable), null), StatusCodeSet.Default, TimeSpan.FromSeconds(1));

        Assert.Equal(new ProbeOutcome(false, 503, "status 503"), outcome);
    }

    [Fact]
    public void Evaluate_StatusOutsideCustomSet_Fails()
    {
        StatusCodeSet.TryParse("200", out var onlyOk);

        var outcome = ProbeOutcome.Evaluate(new DestinationProbingResult(s_destination, new HttpResponseMessage(HttpStatusCode.Redirect), null), onlyOk, TimeSpan.FromSeconds(1));

        Assert.Equal("status 302", outcome.Error);
    }

    [Fact]
    public void Evaluate_Timeout_SaysTimeoutWithConfiguredMilliseconds()
    {
        var outcome = ProbeOutcome.Evaluate(new DestinationProbingResult(s_destination, null, new TaskCanceledException()), StatusCodeSet.Default, TimeSpan.FromSeconds(1));

        Assert.Equal(new ProbeOutcome(false, null, "timeout after 1000 ms"), outcome);
    }

    [Theory]
    [InlineData(SocketError.ConnectionRefused, "connection refused")]
    [InlineData(SocketError.ConnectionReset, "connection reset")]
    [InlineData(SocketError.HostUnreachable, "host unreachable")]
    [InlineData(SocketError.TimedOut, "connect timeout")]
    public void Describe_SocketErrors_ShortReason(SocketError error, string expected)
    {
        var exception = new HttpRequestException(HttpRequestError.ConnectionError, "failed", new SocketException((int)error));

        Assert.Equal(expected, ProbeOutcome.Describe(exception, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task Describe_RealRefusedConnection_SaysConnectionRefused()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var client = new HttpClient();

        var exception = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync($"http://127.0.0.1:{port}/health"));

        Assert.Equal("connection refused", ProbeOutcome.Describe(exception, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void Describe_ResponseEnded_SaysConnectionClosed()
        => Assert.Equal("connection closed before a response",
            ProbeOutcome.Describe(new HttpRequestException(HttpRequestError.ResponseEnded, "ended"), TimeSpan.FromSeconds(1)));
}
