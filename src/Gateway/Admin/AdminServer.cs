using Gateway.Configuration;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Gateway.Admin;

/// <summary>
/// The admin listener: a Kestrel server of its own on <c>Gateway:Admin:Urls</c>, serving only what the
/// registered <see cref="IAdminEndpointSource"/>s map, so none of it can be reached through the public
/// listener, where the same paths are proxied like any other. It starts before the public listener and
/// stops only after the host has stopped, so <c>/readyz</c> and the dashboard keep answering through the
/// shutdown delay.
/// </summary>
public sealed partial class AdminServer(
    IEnumerable<IAdminEndpointSource> sources,
    IOptions<GatewayOptions> options,
    IConfiguration configuration,
    IHostEnvironment environment,
    ILoggerFactory loggerFactory) : IHostedLifecycleService, IAsyncDisposable
{
    private const long MaxRequestBodySize = 64 * 1024;

    private readonly ILogger _logger = loggerFactory.CreateLogger<AdminServer>();
    private WebApplication? _app;

    /// <summary>The addresses the admin listener is bound to (real ports, also when configured with port 0).</summary>
    public IReadOnlyList<string> Addresses { get; private set; } = [];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var urls = options.Value.Admin.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = environment.ApplicationName,
            EnvironmentName = environment.EnvironmentName,
            ContentRootPath = environment.ContentRootPath,
        });
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddSingleton<IHostLifetime, HostedLifetime>();
        builder.Services.AddRoutingCore();
        builder.WebHost
            .UseKestrelCore()
            .UseKestrelHttpsConfiguration()
            .ConfigureKestrel(kestrel =>
            {
                kestrel.Configure(CertificatesOnly(configuration), reloadOnChange: false);
                kestrel.AddServerHeader = false;
                kestrel.Limits.MaxRequestBodySize = MaxRequestBodySize;
            })
            .UseUrls(urls);

        var app = builder.Build();
        app.UseRouting();
        foreach (var source in sources)
        {
            source.MapEndpoints(app);
        }

        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException)
        {
            // The configured address cannot be used: reported like any unusable setting, with exit code 1.
            await app.DisposeAsync();
            throw new InvalidConfigurationException($"Gateway:Admin:Urls: cannot listen on {string.Join(';', urls)}: {ex.Message}");
        }

        _app = app;
        Addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.ToArray();
        Log.Listening(_logger, string.Join(", ", Addresses));
    }

    /// <summary>
    /// The gateway's <c>Kestrel:Certificates</c> (the default certificate for <c>https://</c> admin URLs),
    /// without the <c>Kestrel:Endpoints</c> that belong to the public listener.
    /// </summary>
    private static IConfiguration CertificatesOnly(IConfiguration configuration)
    {
        const string Section = "Certificates";
        var certificates = configuration.GetSection($"Kestrel:{Section}")
            .AsEnumerable(makePathsRelative: true)
            .Where(entry => entry.Value is not null)
            .Select(entry => KeyValuePair.Create($"{Section}:{entry.Key}", entry.Value));
        return new ConfigurationBuilder().AddInMemoryCollection(certificates).Build();
    }

    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
            _app = null;
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// The gateway's host owns the process: signals and Ctrl+C stop it, and it stops the admin listener. The
    /// default console lifetime would hook the same signals a second time and repeat the start-up banner.
    /// </summary>
    private sealed class HostedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4201, Level = LogLevel.Information, Message = "Admin listener on {Addresses}")]
        public static partial void Listening(ILogger logger, string addresses);
    }
}
