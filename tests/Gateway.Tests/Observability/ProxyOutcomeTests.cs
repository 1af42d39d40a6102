using Gateway.Observability;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Timeouts;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Gateway.Tests.Observability;

public sealed class ProxyOutcomeTests
{
    [Theory]
    [InlineData(ForwarderError.NoAvailableDestinations, ProxyOutcome.NoAvailableDestinations)]
    [InlineData(ForwarderError.RequestTimedOut, ProxyOutcome.UpstreamTimeout)]
    [InlineData(ForwarderError.UpgradeActivityTimeout, ProxyOutcome.UpstreamTimeout)]
    [InlineData(ForwarderError.RequestCreation, ProxyOutcome.GatewayError)]
    [InlineData(ForwarderError.RequestCanceled, ProxyOutcome.ClientAborted)]
    [InlineData(ForwarderError.RequestBodyCanceled, ProxyOutcome.ClientAborted)]
    [InlineData(ForwarderError.RequestBodyClient, ProxyOutcome.ClientAborted)]
    [InlineData(ForwarderError.ResponseBodyCanceled, ProxyOutcome.ClientAborted)]
    [InlineData(ForwarderError.ResponseBodyClient, ProxyOutcome.ClientAborted)]
    [InlineData(ForwarderError.UpgradeRequestClient, ProxyOutcome.ClientAborted)]
    [InlineData(ForwarderError.UpgradeResponseCanceled, ProxyOutcome.ClientAborted)]
    [InlineData(ForwarderError.RequestBodyDestination, ProxyOutcome.UpstreamError)]
    [InlineData(ForwarderError.ResponseBodyDestination, ProxyOutcome.UpstreamError)]
    [InlineData(ForwarderError.ResponseHeaders, ProxyOutcome.UpstreamError)]
    [InlineData(ForwarderError.UpgradeResponseDestination, ProxyOutcome.UpstreamError)]
    public void Of_ForwarderError_NamedOutcome(ForwarderError error, string expected)
    {
        var (context, proxy) = Request(forwarded: true);
        context.Features.Set<IForwarderErrorFeature>(new ErrorFeature(error, new InvalidOperationException("x")));

        Assert.Equal(expected, ProxyOutcome.Of(context, proxy, new ProxyRequestTelemetry()));
    }

    [Theory]
    [InlineData(HttpRequestError.ConnectionError, ProxyOutcome.ConnectFailed)]
    [InlineData(HttpRequestError.NameResolutionError, ProxyOutcome.ConnectFailed)]
    [InlineData(HttpRequestError.ResponseEnded, ProxyOutcome.UpstreamError)]
    [InlineData(HttpRequestError.InvalidResponse, ProxyOutcome.UpstreamError)]
    public void Of_RequestError_ConnectFailedOnlyWhenNoConnectionWasMade(HttpRequestError requestError, string expected)
    {
        var (context, proxy) = Request(forwarded: true);
        var exception = new HttpRequestException(requestError, "failed", new IOException("inner"));
        context.Features.Set<IForwarderErrorFeature>(new ErrorFeature(ForwarderError.Request, exception));

        Assert.Equal(expected, ProxyOutcome.Of(context, proxy, new ProxyRequestTelemetry()));
    }

    [Fact]
    public void Of_RequestErrorWrappedInAggregate_StillConnectFailed()
    {
        var (context, proxy) = Request(forwarded: true);
        var exception = new AggregateException(new HttpRequestException(HttpRequestError.ConnectionError, "refused"));
        context.Features.Set<IForwarderErrorFeature>(new ErrorFeature(ForwarderError.Request, exception));

        Assert.Equal(ProxyOutcome.ConnectFailed, ProxyOutcome.Of(context, proxy, new ProxyRequestTelemetry()));
    }

    [Fact]
    public void Of_CanceledByTheRouteTimeout_UpstreamTimeout()
    {
        var (context, proxy) = Request(forwarded: true);
        context.Features.Set<IForwarderErrorFeature>(new ErrorFeature(ForwarderError.RequestCanceled, new OperationCanceledException()));
        context.Features.Set<IHttpRequestTimeoutFeature>(new ExpiredTimeout());

        Assert.Equal(ProxyOutcome.UpstreamTimeout, ProxyOutcome.Of(context, proxy, new ProxyRequestTelemetry()));
    }

    [Fact]
    public void Of_ForwardedWithoutError_Ok()
    {
        var (context, proxy) = Request(forwarded: true);

        Assert.Equal(ProxyOutcome.Ok, ProxyOutcome.Of(context, proxy, new ProxyRequestTelemetry()));
    }

    [Fact]
    public void Of_ClientAbortedWithoutForwarderError_ClientAborted()
    {
        var (context, proxy) = Request(forwarded: true);
        using var aborted = new CancellationTokenSource();
        aborted.Cancel();
        context.RequestAborted = aborted.Token;

        Assert.Equal(ProxyOutcome.ClientAborted, ProxyOutcome.Of(context, proxy, new ProxyRequestTelemetry()));
    }

    [Fact]
    public void Of_NotForwardedAndNothingAvailable_NoAvailableDestinations()
    {
        var (context, proxy) = Request(forwarded: false);
        proxy.AvailableDestinations = [];

        Assert.Equal(ProxyOutcome.NoAvailableDestinations, ProxyOutcome.Of(context, proxy, new ProxyRequestTelemetry()));
    }

    [Fact]
    public void Of_NotForwardedWithDestinationsAvailable_NotForwarded()
    {
        var (context, proxy) = Request(forwarded: false);

        Assert.Equal(ProxyOutcome.NotForwarded, ProxyOutcome.Of(context, proxy, new ProxyRequestTelemetry()));
    }

    [Fact]
    public void Of_StepChoseAnOutcome_ItWins()
    {
        var (context, proxy) = Request(forwarded: false);
        context.Features.Set<IForwarderErrorFeature>(new ErrorFeature(ForwarderError.NoAvailableDestinations, null));

        Assert.Equal("QueueFull", ProxyOutcome.Of(context, proxy, new ProxyRequestTelemetry { Outcome = "QueueFull" }));
    }

    internal static (DefaultHttpContext Context, ReverseProxyFeature Proxy) Request(bool forwarded)
    {
        var cluster = new ClusterState("web");
        DestinationState[] destinations = [new("a")];
        cluster.DestinationsState = new ClusterDestinationsState(destinations, destinations);
        var proxy = new ReverseProxyFeature
        {
            Route = new RouteModel(new RouteConfig { RouteId = "all", ClusterId = "web" }, cluster, HttpTransformer.Empty),
            Cluster = new ClusterModel(new ClusterConfig { ClusterId = "web" }, new HttpMessageInvoker(new SocketsHttpHandler())),
            AllDestinations = destinations,
            AvailableDestinations = destinations,
            ProxiedDestination = forwarded ? destinations[0] : null,
        };
        var context = new DefaultHttpContext();
        context.Features.Set<IReverseProxyFeature>(proxy);
        return (context, proxy);
    }

    private sealed record ErrorFeature(ForwarderError Error, Exception? Exception) : IForwarderErrorFeature;

    private sealed class ExpiredTimeout : IHttpRequestTimeoutFeature
    {
        public CancellationToken RequestTimeoutToken { get; } = new(canceled: true);

        public void DisableTimeout()
        {
        }
    }
}
