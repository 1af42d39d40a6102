using Microsoft.AspNetCore.Http.Timeouts;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Gateway.Observability;

/// <summary>The access log's <c>Outcome</c>: what became of a proxied request, in one word.</summary>
public static class ProxyOutcome
{
    /// <summary>A destination answered and its response reached the client (whatever its status).</summary>
    public const string Ok = "Ok";

    /// <summary>The cluster had no destination to send to (all down, drained or in maintenance).</summary>
    public const string NoAvailableDestinations = "NoAvailableDestinations";

    /// <summary>No connection to the destination could be made.</summary>
    public const string ConnectFailed = "ConnectFailed";

    /// <summary>The destination did not answer in time (the cluster's <c>ActivityTimeout</c> or the route's <c>Timeout</c>).</summary>
    public const string UpstreamTimeout = "UpstreamTimeout";

    /// <summary>The destination broke the exchange: connection closed or reset, or a response that cannot be proxied.</summary>
    public const string UpstreamError = "UpstreamError";

    /// <summary>The client went away or failed while its request or response was in flight.</summary>
    public const string ClientAborted = "ClientAborted";

    /// <summary>A gateway step answered without forwarding and did not say why.</summary>
    public const string NotForwarded = "NotForwarded";

    /// <summary>The gateway failed: an exception in the pipeline, or a request it could not build.</summary>
    public const string GatewayError = "GatewayError";

    public static string Of(HttpContext context, IReverseProxyFeature proxy, ProxyRequestTelemetry telemetry)
    {
        if (telemetry.Outcome is { } chosen)
        {
            return chosen;
        }

        if (context.Features.Get<IForwarderErrorFeature>() is { Error: not ForwarderError.None } failure)
        {
            return OfError(context, failure.Error, failure.Exception);
        }

        if (context.RequestAborted.IsCancellationRequested)
        {
            return ClientAborted;
        }

        if (proxy.ProxiedDestination is null)
        {
            return proxy.AvailableDestinations.Count == 0 ? NoAvailableDestinations : NotForwarded;
        }

        return Ok;
    }

    internal static string OfError(HttpContext context, ForwarderError error, Exception? exception) => error switch
    {
        ForwarderError.NoAvailableDestinations => NoAvailableDestinations,
        ForwarderError.Request => IsConnectFailure(exception) ? ConnectFailed : UpstreamError,
        ForwarderError.RequestTimedOut or ForwarderError.UpgradeActivityTimeout => UpstreamTimeout,
        ForwarderError.RequestCreation => GatewayError,
        ForwarderError.RequestCanceled
            or ForwarderError.RequestBodyCanceled
            or ForwarderError.ResponseBodyCanceled
            or ForwarderError.UpgradeRequestCanceled
            or ForwarderError.UpgradeResponseCanceled => RouteTimedOut(context) ? UpstreamTimeout : ClientAborted,
        ForwarderError.RequestBodyClient
            or ForwarderError.ResponseBodyClient
            or ForwarderError.UpgradeRequestClient
            or ForwarderError.UpgradeResponseClient => ClientAborted,
        _ => UpstreamError,
    };

    // A route's Timeout cancels the request through ASP.NET Core's request-timeouts middleware, which YARP
    // then reports as a cancellation, like a client leaving.
    private static bool RouteTimedOut(HttpContext context)
        => context.Features.Get<IHttpRequestTimeoutFeature>()?.RequestTimeoutToken.IsCancellationRequested == true;

    private static bool IsConnectFailure(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError }:
                    return true;
                case AggregateException aggregate:
                    return aggregate.InnerExceptions.Any(IsConnectFailure);
            }
        }

        return false;
    }
}
