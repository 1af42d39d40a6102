using System.IO.Pipelines;
using System.Net;
using Gateway.Configuration;
using Gateway.ProxyProtocol;
using Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.ProxyProtocol;

public sealed class ProxyProtocolConnectionMiddlewareTests
{
    private static readonly IPEndPoint s_peer = IPEndPoint.Parse("10.0.0.5:40000");
    private static readonly IPEndPoint s_client = IPEndPoint.Parse("198.51.100.20:5555");
    private static readonly IPEndPoint s_balancer = IPEndPoint.Parse("10.0.0.5:443");
    private static readonly byte[] s_request = "GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray();
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider _time = new();
    private readonly ListLogger<ProxyProtocolConnectionMiddleware> _logger = new();

    [Fact]
    public async Task OnConnection_HeaderInSeveralWrites_SetsRemoteEndPointAndHandsOnTheRest()
    {
        var connection = new TestConnection(ProxyProtocolMode.Required, _time, _logger);
        var header = ProxyHeaders.V2(s_client, s_balancer, (ProxyHeaders.TlvAuthority, "example.com"u8.ToArray()));

        var running = connection.RunAsync();
        foreach (var piece in header.Chunk(5))
        {
            await connection.SendAsync(piece);
            await Task.Yield();
        }

        await connection.SendAsync(s_request, complete: true);
        var seen = await running;

        Assert.NotNull(seen);
        Assert.Equal(s_client, seen.Value.RemoteEndPoint);
        Assert.Equal(s_request, seen.Value.Data);
    }

    [Fact]
    public async Task OnConnection_V2Local_KeepsTcpPeer()
    {
        var connection = new TestConnection(ProxyProtocolMode.Required, _time, _logger);

        var running = connection.RunAsync();
        await connection.SendAsync([.. ProxyHeaders.V2Local(), .. s_request], complete: true);
        var seen = await running;

        Assert.Equal(s_peer, seen!.Value.RemoteEndPoint);
        Assert.Equal(s_request, seen.Value.Data);
    }

    [Fact]
    public async Task OnConnection_OptionalWithoutHeader_HandsOnEveryByte()
    {
        var connection = new TestConnection(ProxyProtocolMode.Optional, _time, _logger);

        var running = connection.RunAsync();
        await connection.SendAsync(s_request[..1]);
        await Task.Yield();
        await connection.SendAsync(s_request[1..], complete: true);
        var seen = await running;

        Assert.Equal(s_peer, seen!.Value.RemoteEndPoint);
        Assert.Equal(s_request, seen.Value.Data);
    }

    [Fact]
    public async Task OnConnection_OptionalWithHeader_SetsRemoteEndPoint()
    {
        var connection = new TestConnection(ProxyProtocolMode.Optional, _time, _logger);

        var running = connection.RunAsync();
        await connection.SendAsync([.. ProxyHeaders.V1(s_client, s_balancer), .. s_request], complete: true);
        var seen = await running;

        Assert.Equal(s_client, seen!.Value.RemoteEndPoint);
    }

    [Fact]
    public async Task OnConnection_RequiredWithoutHeader_ClosesAndLogsWarning()
    {
        var connection = new TestConnection(ProxyProtocolMode.Required, _time, _logger);

        var running = connection.RunAsync();
        await connection.SendAsync(s_request);

        Assert.Null(await running);
        var logged = Assert.Single(_logger.Events);
        Assert.Equal(LogLevel.Warning, logged.Level);
        Assert.Contains("Required", logged.Message, StringComparison.Ordinal);
        Assert.Contains(s_peer.ToString(), logged.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ProxyProtocolMode.Optional)]
    [InlineData(ProxyProtocolMode.Required)]
    public async Task OnConnection_MalformedHeader_ClosesAndLogsReason(ProxyProtocolMode mode)
    {
        var connection = new TestConnection(mode, _time, _logger);

        var running = connection.RunAsync();
        await connection.SendAsync([.. ProxyHeaders.V1("PROXY TCP4 1.2.3.4 5.6.7.8 99999 443\r\n"), .. s_request]);

        Assert.Null(await running);
        var logged = Assert.Single(_logger.Events);
        Assert.Equal(LogLevel.Warning, logged.Level);
        Assert.Contains("invalid port", logged.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnConnection_ClientClosesInsideHeader_ClosesAndLogsTruncation()
    {
        var connection = new TestConnection(ProxyProtocolMode.Required, _time, _logger);

        var running = connection.RunAsync();
        await connection.SendAsync(ProxyHeaders.V2(s_client, s_balancer)[..20], complete: true);

        Assert.Null(await running);
        var logged = Assert.Single(_logger.Events);
        Assert.Equal(LogLevel.Warning, logged.Level);
        Assert.Contains("after 20 bytes", logged.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnConnection_HeaderStalls_ClosesAtRequestHeadersTimeout()
    {
        var connection = new TestConnection(ProxyProtocolMode.Required, _time, _logger);

        var running = connection.RunAsync();
        await connection.SendAsync(ProxyHeaders.V1(s_client, s_balancer)[..10]);
        _time.Advance(s_timeout - TimeSpan.FromMilliseconds(1));
        await Task.Yield();
        Assert.False(running.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Null(await running.WaitAsync(TimeSpan.FromSeconds(30)));
        var logged = Assert.Single(_logger.Events);
        Assert.Equal(LogLevel.Warning, logged.Level);
        Assert.Contains("10 bytes", logged.Message, StringComparison.Ordinal);
    }

    /// <summary>A connection made of two pipes, with the middleware in front of a "next" that records what reached it.</summary>
    private sealed class TestConnection
    {
        private readonly Pipe _toServer = new();
        private readonly Pipe _toClient = new();
        private readonly DefaultConnectionContext _context;
        private readonly ProxyProtocolConnectionMiddleware _middleware;
        private (EndPoint? RemoteEndPoint, byte[] Data)? _seen;

        public TestConnection(ProxyProtocolMode mode, TimeProvider time, ILogger<ProxyProtocolConnectionMiddleware> logger)
        {
            _context = new DefaultConnectionContext("test", new DuplexPipe(_toServer.Reader, _toClient.Writer), new DuplexPipe(_toClient.Reader, _toServer.Writer))
            {
                RemoteEndPoint = s_peer,
            };
            _middleware = new ProxyProtocolConnectionMiddleware(RecordAsync, mode, s_timeout, time, logger);
        }

        public async Task<(EndPoint? RemoteEndPoint, byte[] Data)?> RunAsync()
        {
            await _middleware.OnConnectionAsync(_context);
            return _seen;
        }

        public async Task SendAsync(byte[] bytes, bool complete = false)
        {
            await _toServer.Writer.WriteAsync(bytes);
            if (complete)
            {
                await _toServer.Writer.CompleteAsync();
            }
        }

        private async Task RecordAsync(ConnectionContext connection)
        {
            var data = new List<byte>();
            while (true)
            {
                var result = await connection.Transport.Input.ReadAsync();
                foreach (var segment in result.Buffer)
                {
                    data.AddRange(segment.ToArray());
                }

                connection.Transport.Input.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }

            _seen = (connection.RemoteEndPoint, data.ToArray());
        }

        private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
        {
            public PipeReader Input { get; } = input;

            public PipeWriter Output { get; } = output;
        }
    }
}
