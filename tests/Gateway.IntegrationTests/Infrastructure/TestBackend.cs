using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.IntegrationTests.Infrastructure;

/// <summary>
/// A real Kestrel backend on 127.0.0.1 with a dynamic port. By default it answers its own name; tests can
/// swap the handler, count requests, and stop and restart it on the same port.
/// </summary>
public sealed class TestBackend : IAsyncDisposable
{
    private WebApplication? _app;
    private int _requests;
    private int _healthChecks;

    private TestBackend(string name)
    {
        Name = name;
        Handler = context => context.Response.WriteAsync(Name);
    }

    public string Name { get; }

    public int Port { get; private set; }

    public string Address => $"http://127.0.0.1:{Port}/";

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Answers every request except <c>/health</c>, which <see cref="HealthStatus"/> answers.</summary>
    public RequestDelegate Handler { get; set; }

    public int HealthStatus { get; set; } = 200;

    /// <summary>How many <c>/health</c> requests it has answered.</summary>
    public int HealthChecks => Volatile.Read(ref _healthChecks);

    /// <summary>Statuses for the next <c>/health</c> requests, in order, before <see cref="HealthStatus"/> again.</summary>
    public ConcurrentQueue<int> NextHealthStatuses { get; } = new();

    public static async Task<TestBackend> StartAsync(string name, int port = 0)
    {
        var backend = new TestBackend(name);
        await backend.StartOnAsync(port);
        return backend;
    }

    public void ResetCount() => Interlocked.Exchange(ref _requests, 0);

    public async Task StopAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
    }

    /// <summary>Starts again on the port it had, as a restarted server would.</summary>
    public Task RestartAsync() => StartOnAsync(Port);

    private async Task StartOnAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        app.UseWebSockets();
        app.Run(context =>
        {
            if (context.Request.Path == "/health")
            {
                context.Response.StatusCode = NextHealthStatuses.TryDequeue(out var next) ? next : HealthStatus;
                Interlocked.Increment(ref _healthChecks);
                return Task.CompletedTask;
            }

            Interlocked.Increment(ref _requests);
            return Handler(context);
        });
        await app.StartAsync();
        Port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        _app = app;
    }

    public ValueTask DisposeAsync() => new(StopAsync());
}
