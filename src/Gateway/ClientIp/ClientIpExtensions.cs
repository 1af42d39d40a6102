using Gateway.Configuration;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Gateway.ClientIp;

/// <summary>
/// The client IP is <c>HttpContext.Connection.RemoteIpAddress</c> everywhere (ip-hash, logs, rate limits,
/// <c>X-Forwarded-For</c> to backends). ASP.NET Core's forwarded-headers middleware rewrites it only when
/// the TCP peer is one of <c>Gateway:ForwardedHeaders:TrustedProxies</c>, taking the right-most address
/// of <c>X-Forwarded-For</c> that is not itself trusted; a header from anyone else changes nothing.
/// </summary>
public static class ClientIpExtensions
{
    public static WebApplicationBuilder AddGatewayClientIp(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ForwardedHeadersOptions>()
            .Configure<IOptions<GatewayOptions>>((forwarded, gateway) =>
            {
                forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor;
                forwarded.ForwardLimit = null;
                forwarded.KnownProxies.Clear();
                forwarded.KnownIPNetworks.Clear();
                foreach (var entry in gateway.Value.ForwardedHeaders.TrustedProxies)
                {
                    if (TrustedProxyList.TryParseEntry(entry, out var network))
                    {
                        forwarded.KnownIPNetworks.Add(network);
                    }
                }
            });
        return builder;
    }

    public static WebApplication UseGatewayClientIp(this WebApplication app)
    {
        var gateway = app.Services.GetRequiredService<IOptions<GatewayOptions>>().Value;
        if (gateway.ForwardedHeaders.TrustedProxies.Length > 0)
        {
            app.UseForwardedHeaders();
        }

        return app;
    }
}
