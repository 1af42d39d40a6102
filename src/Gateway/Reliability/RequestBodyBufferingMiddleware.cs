using Microsoft.AspNetCore.WebUtilities;

namespace Gateway.Reliability;

/// <summary>
/// HAProxy's <c>option http-buffer-request</c> for small bodies: a request whose <c>Content-Length</c> is at most
/// <see cref="MaxBufferedBytes"/> is read whole before the proxy picks a destination. A client that trickles
/// its body (a slow-POST attack) then never occupies a backend connection, and when Kestrel's
/// <c>MinRequestBodyDataRate</c> drops it, nothing but that client connection has to be torn down. Larger and
/// chunked bodies stream as before.
/// </summary>
internal sealed class RequestBodyBufferingMiddleware(RequestDelegate next)
{
    public const int MaxBufferedBytes = 64 * 1024;

    public Task InvokeAsync(HttpContext context)
    {
        var length = context.Request.ContentLength;
        if (length is not > 0 || length > MaxBufferedBytes)
        {
            return next(context);
        }

        return BufferThenContinueAsync(context, (int)length.Value);
    }

    private async Task BufferThenContinueAsync(HttpContext context, int length)
    {
        context.Request.EnableBuffering(bufferThreshold: MaxBufferedBytes, bufferLimit: MaxBufferedBytes);
        try
        {
            await context.Request.Body.DrainAsync(context.RequestAborted);
        }
        catch (Exception ex) when (ex is BadHttpRequestException or OperationCanceledException or IOException)
        {
            // Too slow (MinRequestBodyDataRate), cut short, or gone: Kestrel has already decided the
            // connection's fate and answers or aborts it itself.
            if (ex is BadHttpRequestException bad && !context.Response.HasStarted)
            {
                context.Response.StatusCode = bad.StatusCode;
                context.Response.Headers.Connection = "close";
            }

            return;
        }

        context.Request.Body.Position = 0;
        await next(context);
    }
}
