namespace Gateway.Proxy;

/// <summary>
/// Defaults for the per-request path, each chosen by measurement with <c>bench/run.sh</c> (README, Performance).
/// The runtime settings (GC mode, tiering) live in Gateway.csproj; these are the ones that need code.
/// </summary>
internal static class HotPathDefaults
{
    /// <summary>ASP.NET Core's request start/finish logger; the gateway's access log says the same thing once.</summary>
    public const string HostingDiagnosticsCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    public static WebApplicationBuilder AddGatewayHotPathDefaults(this WebApplicationBuilder builder)
    {
        // While this category is enabled at any level, ASP.NET Core starts an Activity and pushes a log scope for
        // every request, and HttpClient then starts a child Activity and writes a traceparent header to the
        // backend: about a fifth of the gateway's CPU per request on the benchmark. Tracing, when configured,
        // still gets its spans through its own ActivityListener.
        builder.Logging.AddFilter(HostingDiagnosticsCategory, LogLevel.None);
        return builder;
    }
}
