using Gateway.Configuration;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gateway.ProxyProtocol;

public static class ProxyProtocolExtensions
{
    /// <summary>
    /// PROXY protocol v1 and v2 on the public listener, per <c>Gateway:ProxyProtocol:Mode</c>. Applied as an
    /// endpoint default, so it covers every address from <c>Urls</c> / <c>--urls</c> (and <c>Kestrel:Endpoints</c>),
    /// ahead of TLS; the admin listener is a server of its own and never expects the header. The mode is read
    /// when the listener binds: changing it takes a restart, like changing the listener itself.
    /// </summary>
    public static WebApplicationBuilder AddGatewayProxyProtocol(this WebApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(listen => listen.UseGatewayProxyProtocol()));
        return builder;
    }

    private static void UseGatewayProxyProtocol(this ListenOptions listen)
    {
        var services = listen.ApplicationServices;
        var mode = services.GetRequiredService<IOptions<GatewayOptions>>().Value.ProxyProtocol.Mode;
        if (mode == ProxyProtocolMode.Off)
        {
            return;
        }

        var headerTimeout = listen.KestrelServerOptions.Limits.RequestHeadersTimeout;
        var timeProvider = services.GetRequiredService<TimeProvider>();
        var logger = services.GetRequiredService<ILogger<ProxyProtocolConnectionMiddleware>>();
        listen.Use(next => new ProxyProtocolConnectionMiddleware(next, mode, headerTimeout, timeProvider, logger).OnConnectionAsync);
    }
}
