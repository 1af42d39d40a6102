using System.Net.Http;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Gateway.Reliability;

/// <summary>
/// Retries with redispatch (HAProxy's <c>retries</c> and <c>option redispatch</c>), as the contract's
/// "Retries with redispatch" section defines them.
/// </summary>
/// <remarks>
/// Design: this is the first step of YARP's proxy pipeline, and a retry runs the rest of that pipeline
/// again (session affinity, admin states, load balancing, passive health, the destination queue and the
/// forwarder) with the failed destinations taken out of <see cref="IReverseProxyFeature.AvailableDestinations"/>.
/// That is possible because YARP's forwarder reports a failure before any response header through
/// <see cref="IForwarderErrorFeature"/> and leaves the response unstarted, and because every later step
/// reads its input from the proxy feature again on each call. So the load balancer picks the other
/// destination by the cluster's own policy, session affinity re-pins the client to it, and YARP's
/// passive health middleware reports each failed attempt to the cluster's configured
/// <c>IPassiveHealthCheckPolicy</c> (when passive health is enabled) exactly as for any other request.
/// The alternative, a <c>DelegatingHandler</c> from an <c>IForwarderHttpClientFactory</c>, works below the
/// forwarder on an <c>HttpRequestMessage</c> already addressed to one destination: redispatching there
/// would mean rewriting URIs behind the load balancer's, health's and affinity's back, and the handler
/// cannot see the client's request body or whether the client response has started.
/// </remarks>
internal sealed partial class RetryMiddleware(RequestDelegate next, ILogger<RetryMiddleware> logger)
{
    public Task InvokeAsync(HttpContext context)
    {
        var feature = context.GetReverseProxyFeature();
        var settings = RetrySettings.Of(feature.Cluster);
        if (settings.Count == 0)
        {
            return next(context);
        }

        var method = context.Request.Method;
        var idempotent = IsIdempotent(method);
        if (!idempotent && !(settings.NonIdempotent && (HttpMethods.IsPost(method) || HttpMethods.IsPatch(method))))
        {
            return next(context);
        }

        return InvokeWithRetriesAsync(context, feature, settings, idempotent);
    }

    private async Task InvokeWithRetriesAsync(HttpContext context, IReverseProxyFeature feature, RetrySettings settings, bool idempotent)
    {
        RequestBodyReadTracker? body = null;
        if (HasBody(context.Request))
        {
            body = new RequestBodyReadTracker(context.Request.Body);
            context.Request.Body = body;
        }

        var candidates = feature.AvailableDestinations;
        List<DestinationState>? failed = null;
        for (var attempt = 1; ; attempt++)
        {
            await next(context);

            if (attempt > settings.Count
                || context.Response.HasStarted
                || context.Features.Get<IForwarderErrorFeature>() is not { } error
                || feature.ProxiedDestination is not { } destination)
            {
                return;
            }

            var failure = Classify(error);
            if (failure == Failure.NotRetryable
                || body?.HasRead == true
                || (!idempotent && failure != Failure.ConnectFailed))
            {
                return;
            }

            (failed ??= []).Add(destination);
            var remaining = Without(candidates, failed);
            Log.Retrying(logger, feature.Cluster.Config.ClusterId, destination.DestinationId, failure, attempt, settings.Count,
                ReferenceEquals(remaining, candidates) ? "no other destination available" : "to another destination");

            context.Features.Set<IForwarderErrorFeature>(null);
            context.Response.StatusCode = StatusCodes.Status200OK;
            feature.ProxiedDestination = null;
            feature.AvailableDestinations = remaining;
        }
    }

    /// <summary>RFC 9110's idempotent methods; CONNECT and unknown methods are never retried.</summary>
    internal static bool IsIdempotent(string method)
        => HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method)
           || HttpMethods.IsPut(method) || HttpMethods.IsDelete(method) || HttpMethods.IsTrace(method);

    /// <summary>
    /// A connection that could not be established, or that was closed or reset before any response header
    /// arrived. Timeouts (<see cref="ForwarderError.RequestTimedOut"/>) and every other error are final: a slow
    /// backend is never asked twice.
    /// </summary>
    internal static Failure Classify(IForwarderErrorFeature error)
    {
        if (error.Error != ForwarderError.Request || error.Exception is not HttpRequestException exception)
        {
            return Failure.NotRetryable;
        }

        return exception.HttpRequestError switch
        {
            HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError => Failure.ConnectFailed,
            HttpRequestError.ResponseEnded => Failure.ClosedBeforeResponse,
            HttpRequestError.Unknown when exception.InnerException is IOException or SocketException => Failure.ClosedBeforeResponse,
            _ => Failure.NotRetryable,
        };
    }

    private static bool HasBody(HttpRequest request)
        => request.ContentLength > 0
           || (request.ContentLength is null && request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true);

    private static IReadOnlyList<DestinationState> Without(IReadOnlyList<DestinationState> candidates, List<DestinationState> failed)
    {
        var remaining = new List<DestinationState>(candidates.Count);
        foreach (var candidate in candidates)
        {
            if (!failed.Contains(candidate))
            {
                remaining.Add(candidate);
            }
        }

        // Redispatch when another destination is available; otherwise the same one is tried again.
        return remaining.Count > 0 ? remaining : candidates;
    }

    internal enum Failure
    {
        NotRetryable,
        ConnectFailed,
        ClosedBeforeResponse,
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1401, Level = LogLevel.Warning,
            Message = "Cluster '{ClusterId}', destination '{DestinationId}': {Failure}; retry {Attempt} of {Count} ({Target})")]
        public static partial void Retrying(ILogger logger, string clusterId, string destinationId, Failure failure, int attempt, int count, string target);
    }
}
