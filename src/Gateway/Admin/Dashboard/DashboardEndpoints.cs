namespace Gateway.Admin;

/// <summary>
/// <c>GET /</c>: the live stats page, one self-contained HTML file embedded in the assembly (no CDN, works
/// offline) that polls <c>/api/state</c> and calls the runtime API.
/// </summary>
internal sealed class DashboardEndpoints : IAdminEndpointSource
{
    private const string ResourceName = "Gateway.Admin.Dashboard.dashboard.html";
    private static readonly string[] s_methods = [HttpMethods.Get, HttpMethods.Head];

    private readonly byte[] _page;

    public DashboardEndpoints()
    {
        using var stream = typeof(DashboardEndpoints).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The dashboard resource '{ResourceName}' is missing from the assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        _page = copy.ToArray();
    }

    public void MapEndpoints(IEndpointRouteBuilder endpoints)
        => endpoints.MapMethods("/", s_methods, context =>
        {
            context.Response.ContentType = "text/html; charset=utf-8";
            context.Response.ContentLength = _page.Length;
            context.Response.Headers.CacheControl = "no-cache";
            context.Response.Headers.XContentTypeOptions = "nosniff";
            context.Response.Headers.ContentSecurityPolicy = "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src 'self' data:";
            return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.Body.WriteAsync(_page).AsTask();
        });
}
