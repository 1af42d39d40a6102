using Gateway.Configuration;

namespace Gateway.Admin;

/// <summary>
/// <c>GET /healthz</c> (liveness: the process serves) and <c>GET /readyz</c> (readiness: a valid
/// configuration is loaded and the gateway is not shutting down), for orchestrators and L4 balancers.
/// </summary>
internal sealed class ProbeEndpoints(ConfigurationTracker configuration, IHostApplicationLifetime lifetime) : IAdminEndpointSource
{
    private static readonly string[] s_methods = [HttpMethods.Get, HttpMethods.Head];

    public void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMethods("/healthz", s_methods, context => Plain(context, StatusCodes.Status200OK, "ok"));
        endpoints.MapMethods("/readyz", s_methods, context => Readiness() is { } reason
            ? Plain(context, StatusCodes.Status503ServiceUnavailable, $"not ready: {reason}")
            : Plain(context, StatusCodes.Status200OK, "ready"));
    }

    /// <summary>Why the gateway is not ready, or null when it is.</summary>
    internal string? Readiness()
    {
        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            return "shutting down";
        }

        return configuration.Current is null ? "no valid configuration loaded yet" : null;
    }

    private static Task Plain(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsync(text + "\n");
    }
}
