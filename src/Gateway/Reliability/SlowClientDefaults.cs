using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;

namespace Gateway.Reliability;

/// <summary>
/// Defaults that keep normal requests fast while thousands of slow clients hold connections
/// (tests/faults/slow-clients.sh). Each applies only where the configuration (<c>Kestrel:Limits</c>) does
/// not set the limit itself, so <c>appsettings*.json</c> always wins.
/// </summary>
internal sealed class SlowClientDefaults(IConfiguration configuration) : IConfigureOptions<KestrelServerOptions>, IConfigureOptions<SocketTransportOptions>
{
    /// <summary>HAProxy's usual <c>timeout http-request 10s</c>; Kestrel's own default is 30 s.</summary>
    public static readonly TimeSpan RequestHeadersTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Linux's default <c>somaxconn</c>. Kestrel's default of 512 overflows when slow clients open
    /// connections by the thousand, and an overflowing accept queue drops the SYN of a normal client, which
    /// then waits a whole second (or three) to retry.
    /// </summary>
    public const int Backlog = 4096;

    public void Configure(KestrelServerOptions options)
    {
        if (configuration["Kestrel:Limits:RequestHeadersTimeout"] is null)
        {
            options.Limits.RequestHeadersTimeout = RequestHeadersTimeout;
        }
    }

    public void Configure(SocketTransportOptions options) => options.Backlog = Math.Max(options.Backlog, Backlog);
}
