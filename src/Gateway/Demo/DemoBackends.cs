using System.Net;
using System.Text.Json;
using Gateway.Configuration;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Gateway.Demo;

/// <summary>
/// Three tiny backends on 127.0.0.1 with dynamic ports, started before the gateway listens when
/// <c>Gateway:Demo:Enabled</c> is true, so that a bare <c>dotnet run</c> balances something at once.
/// Each answers a small JSON document naming itself, and <c>/health</c> with 200.
/// </summary>
internal sealed partial class DemoBackends(
    IOptions<GatewayOptions> options,
    DemoConfigProvider configProvider,
    ILogger<DemoBackends> logger) : IHostedLifecycleService, IAsyncDisposable
{
    public const int Count = 3;

    private WebApplication? _app;

    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Demo.Enabled)
        {
            return;
        }

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            for (var i = 0; i < Count; i++)
            {
                kestrel.Listen(IPAddress.Loopback, 0);
            }
        });
        var app = builder.Build();
        var ports = new int[Count];
        app.Run(context => Respond(context, ports));
        await app.StartAsync(cancellationToken);
        _app = app;

        var addresses = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(a => new Uri(a))
            .ToArray();
        for (var i = 0; i < Count; i++)
        {
            ports[i] = addresses[i].Port;
        }

        configProvider.SetBackends(addresses.Select(a => $"http://127.0.0.1:{a.Port}/").ToArray());
        Log.Started(logger, string.Join(", ", addresses.Select(a => a.ToString())));
    }

    private static Task Respond(HttpContext context, int[] ports)
    {
        if (context.Request.Path == "/health")
        {
            return context.Response.WriteAsync("ok");
        }

        var name = $"demo-{Array.IndexOf(ports, context.Connection.LocalPort) + 1}";
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            backend = name,
            method = context.Request.Method,
            path = context.Request.Path.Value + context.Request.QueryString.Value,
            host = context.Request.Host.Value,
        }));
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

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
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1101, Level = LogLevel.Information,
            Message = "Demo backends listening on {Addresses}; set Gateway:Demo:Enabled=false or define your own routes to turn them off")]
        public static partial void Started(ILogger logger, string addresses);
    }
}
