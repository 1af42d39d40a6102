using System.Globalization;
using System.Net.Sockets;
using Yarp.ReverseProxy.Health;

namespace Gateway.Health;

/// <summary>
/// One active probe judged against the expected statuses, with the short reason an operator reads in the
/// transition log and <c>lastCheck.error</c>: <c>status 503</c>, <c>connection refused</c>,
/// <c>timeout after 1000 ms</c>.
/// </summary>
public readonly record struct ProbeOutcome(bool Ok, int? Status, string? Error)
{
    public static ProbeOutcome Evaluate(in DestinationProbingResult result, StatusCodeSet expected, TimeSpan timeout)
    {
        if (result.Response is { } response)
        {
            var status = (int)response.StatusCode;
            return expected.Contains(status)
                ? new ProbeOutcome(true, status, null)
                : new ProbeOutcome(false, status, string.Create(CultureInfo.InvariantCulture, $"status {status}"));
        }

        return new ProbeOutcome(false, null, Describe(result.Exception, timeout));
    }

    public static string Describe(Exception? exception, TimeSpan timeout)
    {
        switch (exception)
        {
            case null:
                return "no response";
            case OperationCanceledException:
                // The probe's only cancellation is YARP's per-probe timeout.
                return string.Create(CultureInfo.InvariantCulture, $"timeout after {timeout.TotalMilliseconds:0} ms");
            case HttpRequestException http:
                return DescribeSocketError(http) ?? http.HttpRequestError switch
                {
                    HttpRequestError.NameResolutionError => "name resolution failed",
                    HttpRequestError.SecureConnectionError => "TLS handshake failed",
                    HttpRequestError.ResponseEnded => "connection closed before a response",
                    HttpRequestError.InvalidResponse => "invalid response",
                    HttpRequestError.ConnectionError => "connection error",
                    _ => http.Message,
                };
            default:
                return exception.Message;
        }
    }

    private static string? DescribeSocketError(Exception exception)
    {
        for (var inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException socket)
            {
                return socket.SocketErrorCode switch
                {
                    SocketError.ConnectionRefused => "connection refused",
                    SocketError.ConnectionReset => "connection reset",
                    SocketError.TimedOut => "connect timeout",
                    SocketError.HostUnreachable => "host unreachable",
                    SocketError.NetworkUnreachable => "network unreachable",
                    SocketError.HostNotFound or SocketError.NoData => "name resolution failed",
                    _ => socket.Message,
                };
            }
        }

        return null;
    }
}
