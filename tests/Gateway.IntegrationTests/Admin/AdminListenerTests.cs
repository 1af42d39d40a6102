using System.Net;
using Gateway.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Gateway.IntegrationTests.Admin;

public sealed class AdminListenerTests
{
    [Fact]
    public async Task AdminListener_SeparatePort_ServesProbesStateAndDashboard()
    {
        await using var backend = await TestBackend.StartAsync("a");
        using var gateway = new GatewayFactory(AdminConfigs.Cluster([backend]));
        using var admin = gateway.CreateAdminClient();

        Assert.NotEqual(gateway.PublicAddress.Port, gateway.AdminAddress.Port);
        using var healthz = await admin.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, healthz.StatusCode);
        using var readyz = await admin.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, readyz.StatusCode);
        using var state = await admin.GetAsync("/api/state");
        Assert.Equal(HttpStatusCode.OK, state.StatusCode);
        Assert.Equal("application/json", state.Content.Headers.ContentType?.MediaType);
        using var dashboard = await admin.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Equal("text/html", dashboard.Content.Headers.ContentType?.MediaType);
        var html = await dashboard.Content.ReadAsStringAsync();
        Assert.Contains("api/state", html);
        Assert.DoesNotMatch("""(src|href)\s*=\s*["']?(https?:)?//""", html);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/api/state")]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    [InlineData("/metrics")]
    public async Task PublicListener_AdminPaths_ProxiedToBackend(string path)
    {
        await using var backend = await TestBackend.StartAsync("backend");
        using var gateway = new GatewayFactory(AdminConfigs.Cluster([backend]), new Dictionary<string, string?> { ["Gateway:Admin:Token"] = AdminClient.Token });
        using var client = gateway.CreatePublicClient();

        Assert.Equal("backend", await client.GetStringAsync(path));
        using var put = await client.PutAsync("/api/clusters/web/destinations/backend/state", new StringContent("""{"state":"maint"}"""));
        Assert.Equal("backend", await put.Content.ReadAsStringAsync());
        Assert.Equal(2, backend.Requests);
    }

    [Fact]
    public async Task AdminListener_SeveralUrls_ListensOnEach()
    {
        await using var backend = await TestBackend.StartAsync("a");
        using var gateway = new GatewayFactory(AdminConfigs.Cluster([backend]), new Dictionary<string, string?>
        {
            ["Gateway:Admin:Urls"] = "http://127.0.0.1:0; http://127.0.0.1:0",
        });
        gateway.StartServer();

        var addresses = gateway.Services.GetRequiredService<Gateway.Admin.AdminServer>().Addresses;
        Assert.Equal(2, addresses.Count);
        foreach (var address in addresses)
        {
            using var client = new HttpClient { BaseAddress = new Uri(address) };
            Assert.Equal("ok\n", await client.GetStringAsync("/healthz"));
        }
    }

    [Fact]
    public async Task AdminListener_PortTaken_ExitsWithCode1NamingTheUrl()
    {
        using var taken = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var start = new System.Diagnostics.ProcessStartInfo("dotnet")
        {
            ArgumentList =
            {
                Path.Combine(AppContext.BaseDirectory, "Gateway.dll"),
                "--urls", "http://127.0.0.1:0",
                $"--Gateway:Admin:Urls=http://127.0.0.1:{port}",
                "--Gateway:Demo:Enabled=false",
            },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };

        using var process = System.Diagnostics.Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        Assert.Equal(1, process.ExitCode);
        Assert.Contains($"Gateway:Admin:Urls: cannot listen on http://127.0.0.1:{port}", await stderr + await stdout);
    }

    [Fact]
    public async Task Readyz_ApplicationStopping_Answers503WhileHealthzStays200()
    {
        await using var backend = await TestBackend.StartAsync("a");
        using var gateway = new GatewayFactory(AdminConfigs.Cluster([backend]));
        using var admin = gateway.CreateAdminClient();
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/readyz")).StatusCode);

        gateway.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

        using var readyz = await admin.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, readyz.StatusCode);
        Assert.Contains("shutting down", await readyz.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task AdminListener_DuringShutdownDelay_ServesNotReadyAndStopsAfterHost()
    {
        await using var backend = await TestBackend.StartAsync("a");
        var delay = new BlockingStop();
        var gateway = new GatewayFactory(AdminConfigs.Cluster([backend]))
        {
            ConfigureTestServices = services => services.AddSingleton<IHostedService>(delay),
        };
        var adminAddress = gateway.AdminAddress;
        using var admin = new HttpClient { BaseAddress = adminAddress, Timeout = TimeSpan.FromSeconds(30) };

        using var client = gateway.CreatePublicClient();

        // SIGTERM: the console lifetime signals ApplicationStopping, then the host stops.
        gateway.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        var stopping = Task.Run(gateway.Dispose);
        await delay.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        try
        {
            using var readyz = await admin.GetAsync("/readyz");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, readyz.StatusCode);
            using var state = await admin.GetAsync("/api/state");
            Assert.Equal(HttpStatusCode.OK, state.StatusCode);
            Assert.Equal("a", await client.GetStringAsync("/"));
        }
        finally
        {
            delay.Release.TrySetResult();
        }

        await stopping.WaitAsync(TimeSpan.FromSeconds(60));
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => admin.GetAsync("/healthz"));
    }

    /// <summary>Holds the host in its stopping phase, as the gateway's shutdown delay does.</summary>
    private sealed class BlockingStop : IHostedLifecycleService
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task StoppingAsync(CancellationToken cancellationToken)
        {
            Entered.TrySetResult();
            await Release.Task;
        }

        public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
