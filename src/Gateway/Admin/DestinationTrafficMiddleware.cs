using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Gateway.Admin;

/// <summary>
/// Counts every proxied request against the destination that served it: total, failed (a 5xx answer or a
/// transport error, never a client abort) and time to completion. Nothing is allocated unless the
/// forwarder completes asynchronously, which costs the one state machine any awaiting step costs.
/// </summary>
internal sealed class DestinationTrafficMiddleware(RequestDelegate next, DestinationTraffic traffic)
{
    private readonly TimeProvider _timeProvider = traffic.TimeProvider;

    public Task Invoke(HttpContext context)
    {
        var start = _timeProvider.GetTimestamp();
        Task pending;
        try
        {
            pending = next(context);
        }
        catch
        {
            Record(context, start, threw: true);
            throw;
        }

        if (pending.IsCompletedSuccessfully)
        {
            Record(context, start, threw: false);
            return Task.CompletedTask;
        }

        return AwaitAndRecord(pending, context, start);
    }

    private async Task AwaitAndRecord(Task pending, HttpContext context, long start)
    {
        try
        {
            await pending;
        }
        catch
        {
            Record(context, start, threw: true);
            throw;
        }

        Record(context, start, threw: false);
    }

    private void Record(HttpContext context, long start, bool threw)
    {
        if (context.GetReverseProxyFeature().ProxiedDestination is not { } destination)
        {
            return;
        }

        var elapsed = _timeProvider.GetTimestamp() - start;
        traffic.For(destination).Record(elapsed, threw || IsFailure(context));
    }

    internal static bool IsFailure(HttpContext context) => context.GetForwarderErrorFeature()?.Error switch
    {
        null or ForwarderError.None => context.Response.StatusCode >= StatusCodes.Status500InternalServerError,
        ForwarderError.RequestCanceled
            or ForwarderError.RequestBodyCanceled
            or ForwarderError.RequestBodyClient
            or ForwarderError.ResponseBodyCanceled
            or ForwarderError.ResponseBodyClient
            or ForwarderError.UpgradeRequestCanceled
            or ForwarderError.UpgradeRequestClient
            or ForwarderError.UpgradeResponseCanceled
            or ForwarderError.UpgradeResponseClient => false,
        _ => true,
    };
}
