using System.Globalization;
using Gateway.Configuration;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gateway.Lifecycle;

public static class LifecycleExtensions
{
    /// <summary>
    /// How the public server runs and stops. Kestrel's settings (<c>Limits</c>, <c>AddServerHeader</c>...) are
    /// bound from the standard <c>Kestrel</c> section, which ASP.NET Core otherwise reads only for endpoints
    /// and certificates. Graceful shutdown for rolling deploys (see <see cref="GracefulShutdown"/>): the
    /// host's own shutdown budget covers the whole stop, so it is <c>ShutdownDelay + ShutdownTimeout</c>, and
    /// Kestrel has the full <c>ShutdownTimeout</c> for in-flight requests after the delay, then aborts what is left.
    /// </summary>
    public static WebApplicationBuilder AddGatewayLifecycle(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<KestrelServerOptions>(builder.Configuration.GetSection("Kestrel"));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<WebSocketDrain>();
        builder.Services.AddHostedService<GracefulShutdown>();
        builder.Services.AddTransient<IStartupFilter, WebSocketDrainStartupFilter>();

        // Read from raw configuration rather than the validated options: the host needs this value when it
        // is built, and an invalid Gateway section must still reach --check to be reported with every error.
        builder.Services.AddOptions<HostOptions>().Configure<IConfiguration>((host, configuration) =>
        {
            var defaults = new GatewayOptions();
            host.ShutdownTimeout = ReadTimeSpan(configuration, nameof(GatewayOptions.ShutdownDelay), defaults.ShutdownDelay)
                + ReadTimeSpan(configuration, nameof(GatewayOptions.ShutdownTimeout), defaults.ShutdownTimeout);
        });
        return builder;
    }

    private static TimeSpan ReadTimeSpan(IConfiguration configuration, string key, TimeSpan fallback)
        => TimeSpan.TryParse(configuration[$"{GatewayOptions.SectionName}:{key}"], CultureInfo.InvariantCulture, out var value) && value >= TimeSpan.Zero
            ? value
            : fallback;

    private sealed class WebSocketDrainStartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.UseMiddleware<WebSocketDrainMiddleware>();
            next(app);
        };
    }
}
