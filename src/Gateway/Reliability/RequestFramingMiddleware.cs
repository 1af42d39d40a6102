using Microsoft.Net.Http.Headers;

namespace Gateway.Reliability;

/// <summary>
/// Refuses request framing that Kestrel tolerates but HAProxy and nginx refuse, so that the gateway is at
/// least as strict as they are against request smuggling: <c>Transfer-Encoding</c> in an HTTP/1.0 request,
/// whose framing RFC 9112 section 6.1 says is faulty (a signed <c>Content-Length</c> is refused earlier, by
/// Kestrel itself: see <see cref="StrictContentLength"/>). The answer is 400 with <c>Connection: close</c>, so
/// whatever the client sent after the body is never read as another request.
/// </summary>
internal sealed class RequestFramingMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (HttpProtocol.IsHttp10(request.Protocol) && request.Headers.ContainsKey(HeaderNames.TransferEncoding))
        {
            return RejectAsync(context, "Bad request: Transfer-Encoding is not allowed in an HTTP/1.0 request.\n");
        }

        return next(context);
    }

    private static Task RejectAsync(HttpContext context, string reason)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        context.Response.Headers.Connection = "close";
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(reason, context.RequestAborted);
    }
}
