using Gateway.Configuration;
using Microsoft.AspNetCore.Connections;

namespace Gateway.ProxyProtocol;

/// <summary>
/// Kestrel connection middleware that reads a PROXY protocol header (v1 or v2) before anything else on the
/// connection, TLS included, and makes the address it carries the connection's remote end point. Kestrel
/// builds <c>HttpContext.Connection</c> from that end point, so the load balancer, the logs, the rate
/// limiter and <c>X-Forwarded-For</c> all see the real client. A malformed or truncated header, or none
/// under <see cref="ProxyProtocolMode.Required"/>, closes the connection. The header must arrive within
/// Kestrel's <c>RequestHeadersTimeout</c>, which does not start until the HTTP layer runs.
/// </summary>
internal sealed partial class ProxyProtocolConnectionMiddleware(
    ConnectionDelegate next,
    ProxyProtocolMode mode,
    TimeSpan headerTimeout,
    TimeProvider timeProvider,
    ILogger<ProxyProtocolConnectionMiddleware> logger)
{
    public async Task OnConnectionAsync(ConnectionContext connection)
    {
        if (await ReadHeaderAsync(connection))
        {
            await next(connection);
        }
    }

    /// <summary>Consumes the header, if any, and says whether the connection may go on.</summary>
    private async ValueTask<bool> ReadHeaderAsync(ConnectionContext connection)
    {
        var input = connection.Transport.Input;
        using var timeout = new CancellationTokenSource(headerTimeout, timeProvider);
        long received = 0;
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(timeout.Token);
                var buffer = result.Buffer;
                received = buffer.Length;
                var status = ProxyHeaderParser.TryParse(buffer, out var header, out var end, out var error);
                switch (status)
                {
                    case ProxyHeaderStatus.Parsed:
                        input.AdvanceTo(end);
                        if (header.Source is { } source)
                        {
                            Log.HeaderAccepted(logger, connection.ConnectionId, header.Version, source, connection.RemoteEndPoint);
                            connection.RemoteEndPoint = source;
                        }

                        return true;

                    case ProxyHeaderStatus.NotProxy when mode == ProxyProtocolMode.Optional:
                        // Nothing consumed and nothing marked examined, so the HTTP layer's first read sees these bytes at once.
                        input.AdvanceTo(buffer.Start);
                        return true;

                    case ProxyHeaderStatus.NotProxy:
                        input.AdvanceTo(buffer.Start);
                        Log.HeaderMissing(logger, connection.RemoteEndPoint);
                        return false;

                    case ProxyHeaderStatus.Invalid:
                        input.AdvanceTo(buffer.Start);
                        Log.HeaderInvalid(logger, connection.RemoteEndPoint, error!);
                        return false;

                    default:
                        if (result.IsCompleted)
                        {
                            input.AdvanceTo(buffer.End);
                            if (!buffer.IsEmpty)
                            {
                                Log.HeaderTruncated(logger, connection.RemoteEndPoint, buffer.Length);
                            }

                            return false;
                        }

                        input.AdvanceTo(buffer.Start, buffer.End);
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            if (received > 0)
            {
                Log.HeaderTimedOut(logger, connection.RemoteEndPoint, received, headerTimeout);
            }
            else
            {
                Log.IdleTimedOut(logger, connection.RemoteEndPoint, headerTimeout);
            }

            return false;
        }
        catch (Exception ex) when (ex is ConnectionResetException or IOException)
        {
            Log.ConnectionReset(logger, connection.RemoteEndPoint, ex.Message);
            return false;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1501, Level = LogLevel.Debug,
            Message = "Connection {ConnectionId}: PROXY v{Version} header gives client {Client} (TCP peer {Peer})")]
        public static partial void HeaderAccepted(ILogger logger, string connectionId, int version, System.Net.EndPoint client, System.Net.EndPoint? peer);

        [LoggerMessage(EventId = 1502, Level = LogLevel.Warning,
            Message = "Closed a connection from {Peer} without a PROXY protocol header, which Gateway:ProxyProtocol:Mode=Required demands; is the load balancer set to send it?")]
        public static partial void HeaderMissing(ILogger logger, System.Net.EndPoint? peer);

        [LoggerMessage(EventId = 1503, Level = LogLevel.Warning,
            Message = "Closed a connection from {Peer}: malformed PROXY protocol header: {Reason}")]
        public static partial void HeaderInvalid(ILogger logger, System.Net.EndPoint? peer, string reason);

        [LoggerMessage(EventId = 1504, Level = LogLevel.Warning,
            Message = "Closed a connection from {Peer}: it ended after {Bytes} bytes, inside a PROXY protocol header")]
        public static partial void HeaderTruncated(ILogger logger, System.Net.EndPoint? peer, long bytes);

        [LoggerMessage(EventId = 1505, Level = LogLevel.Warning,
            Message = "Closed a connection from {Peer}: {Bytes} bytes but no complete PROXY protocol header within {Timeout}")]
        public static partial void HeaderTimedOut(ILogger logger, System.Net.EndPoint? peer, long bytes, TimeSpan timeout);

        [LoggerMessage(EventId = 1506, Level = LogLevel.Debug,
            Message = "Closed a connection from {Peer}: nothing received within {Timeout}")]
        public static partial void IdleTimedOut(ILogger logger, System.Net.EndPoint? peer, TimeSpan timeout);

        [LoggerMessage(EventId = 1507, Level = LogLevel.Debug,
            Message = "Connection from {Peer} reset while reading the PROXY protocol header: {Reason}")]
        public static partial void ConnectionReset(ILogger logger, System.Net.EndPoint? peer, string reason);
    }
}
