using System.Net.Sockets;
using Gateway.Reliability;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Tests.Reliability;

public sealed class RetryClassificationTests
{
    [Theory]
    [InlineData("GET", true)]
    [InlineData("HEAD", true)]
    [InlineData("OPTIONS", true)]
    [InlineData("PUT", true)]
    [InlineData("DELETE", true)]
    [InlineData("TRACE", true)]
    [InlineData("POST", false)]
    [InlineData("PATCH", false)]
    [InlineData("CONNECT", false)]
    [InlineData("PURGE", false)]
    public void IsIdempotent_Method_PerRfc9110(string method, bool expected) => Assert.Equal(expected, RetryMiddleware.IsIdempotent(method));

    public static TheoryData<ForwarderError, Exception, string> Cases => new()
    {
        { ForwarderError.Request, new HttpRequestException(HttpRequestError.ConnectionError, "refused"), "ConnectFailed" },
        { ForwarderError.Request, new HttpRequestException(HttpRequestError.NameResolutionError, "no such host"), "ConnectFailed" },
        { ForwarderError.Request, new HttpRequestException(HttpRequestError.ResponseEnded, "ended"), "ClosedBeforeResponse" },
        { ForwarderError.Request, new HttpRequestException("reset", new IOException("reset", new SocketException(104))), "ClosedBeforeResponse" },
        { ForwarderError.Request, new HttpRequestException(HttpRequestError.InvalidResponse, "garbage"), "NotRetryable" },
        { ForwarderError.RequestTimedOut, new TaskCanceledException("timeout"), "NotRetryable" },
        { ForwarderError.RequestBodyDestination, new HttpRequestException(HttpRequestError.ResponseEnded, "ended"), "NotRetryable" },
        { ForwarderError.ResponseBodyDestination, new IOException("reset"), "NotRetryable" },
        { ForwarderError.RequestCreation, new HttpRequestException(HttpRequestError.ConnectionError, "refused"), "NotRetryable" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Classify_ForwarderError_OnlyConnectAndCloseBeforeResponseRetryable(ForwarderError error, Exception exception, string expected)
        => Assert.Equal(expected, RetryMiddleware.Classify(new Feature(error, exception)).ToString());

    private sealed record Feature(ForwarderError Error, Exception? Exception) : IForwarderErrorFeature;
}
