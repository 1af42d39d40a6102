using System.Net;
using Gateway.Admin;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.IntegrationTests.Observability;

/// <summary>
/// A stand-in for the admin listener: a separate Kestrel server on 127.0.0.1 that maps the gateway's
/// <see cref="IAdminEndpointSource"/>s resolved from the gateway's own container, as the real one does.
/// </summary>
internal sealed class AdminTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private AdminTestServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<AdminTestServer> StartAsync(IServiceProvider gatewayServices)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        foreach (var source in gatewayServices.GetServices<IAdminEndpointSource>())
        {
            source.MapEndpoints(app);
        }

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new AdminTestServer(app, new Uri(address));
    }

    public HttpClient CreateClient() => new() { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
