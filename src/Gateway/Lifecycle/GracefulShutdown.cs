using Gateway.Configuration;
using Microsoft.Extensions.Options;

namespace Gateway.Lifecycle;

/// <summary>
/// The gateway's part of a rolling deploy. First <c>ApplicationStopping</c> is signalled, which turns
/// <c>/readyz</c> to 503; this service then holds the stop for <c>Gateway:ShutdownDelay</c> while the public
/// listener keeps serving, so the load balancer can take the instance out before it stops accepting
/// connections. When the delay is over it asks proxied WebSockets to close, and the host goes on to stop
/// Kestrel, which lets in-flight requests finish within <c>Gateway:ShutdownTimeout</c>. Hosted lifecycle
/// services all run <c>StoppingAsync</c> before any service's <c>StopAsync</c>, so nothing, the web server
/// included, stops during the delay.
/// </summary>
internal sealed partial class GracefulShutdown(
    IOptions<GatewayOptions> options,
    WebSocketDrain webSockets,
    IHostApplicationLifetime lifetime,
    TimeProvider timeProvider,
    ILogger<GracefulShutdown> logger) : IHostedLifecycleService
{
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        // SIGTERM signals ApplicationStopping before the host stops, but a direct IHost.StopAsync signals it only
        // after every StoppingAsync, that is after the delay. Signalling it here (it happens once) makes
        // readiness fail before the delay however the stop began.
        lifetime.StopApplication();

        var gateway = options.Value;
        Log.Stopping(logger, gateway.ShutdownDelay);
        if (gateway.ShutdownDelay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(gateway.ShutdownDelay, timeProvider, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // The host's own shutdown budget ran out first; it stops everything now.
            }
        }

        Log.Draining(logger, webSockets.Open, gateway.ShutdownTimeout);
        webSockets.CloseAll();
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(EventId = 1601, Level = LogLevel.Information,
            Message = "Shutting down: readiness now reports 503; still serving for {ShutdownDelay} so load balancers take this instance out")]
        public static partial void Stopping(ILogger logger, TimeSpan shutdownDelay);

        [LoggerMessage(EventId = 1602, Level = LogLevel.Information,
            Message = "Closing the public listener; in-flight requests and {WebSockets} WebSockets (sent a close frame) have {ShutdownTimeout} to finish")]
        public static partial void Draining(ILogger logger, int webSockets, TimeSpan shutdownTimeout);
    }
}
