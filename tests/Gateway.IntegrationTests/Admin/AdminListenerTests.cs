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
            ["Gateway:Admin:Urls"] = "http://127.0.0.1:0; http://127.0.0.2:0",
        });
        gateway.StartServer();

        var addresses = gateway.Services.GetRequiredService<Gateway.Admin.AdminServer>().Addresses;
        Assert.True(addresses.Count == 2, $"Admin listener on {string.Join(", ", addresses)}");
        foreach (var address in addresses)
        {
            using var client = new HttpClient { BaseAddress = new Uri(address) };
            Assert.Equal("ok\n", await client.GetStringAsync("/healthz"));
        }
    }

    [Fact]
    public async Task AdminListener_HttpsUrl_ServesWithKestrelDefaultCertificate()
    {
        await using var backend = await TestBackend.StartAsync("a");
        var pfx = Path.Combine(Path.GetTempPath(), $"gateway-admin-{Guid.NewGuid():N}.pfx");
        using var key = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest(
            "CN=127.0.0.1", key, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        using (var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1)))
        {
            File.WriteAllBytes(pfx, certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx, "pw"));
        }

        try
        {
            using var gateway = new GatewayFactory(AdminConfigs.Cluster([backend]), new Dictionary<string, string?>
            {
                ["Gateway:Admin:Urls"] = "https://127.0.0.1:0",
                ["Kestrel:Certificates:Default:Path"] = pfx,
                ["Kestrel:Certificates:Default:Password"] = "pw",
            });
            using var admin = new HttpClient(new SocketsHttpHandler
            {
                SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
            })
            { BaseAddress = gateway.AdminAddress };

            using var client = gateway.CreatePublicClient();

            Assert.Equal("https", gateway.AdminAddress.Scheme);
            Assert.Equal("ok\n", await admin.GetStringAsync("/healthz"));
            Assert.Equal("a", await client.GetStringAsync("/"));
        }
        finally
        {
            File.Delete(pfx);
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
    public async Task AdminListener_DuringShutdownDelay_ServesNotReadyAndStopsAfterHost()
    {
        await using var backend = await TestBackend.StartAsync("a");
        var delay = new BlockingStop();
        using var gateway = new GatewayFactory(AdminConfigs.Cluster([backend]))
        {
            ConfigureTestServices = services => services.AddSingleton<IHostedService>(delay),
        };
        using var admin = gateway.CreateAdminClient();
        using var client = gateway.CreatePublicClient();
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/readyz")).StatusCode);

        // What SIGTERM does: the lifetime signals ApplicationStopping, and Program's RunAsync stops the host.
        gateway.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        await delay.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        try
        {
            using var readyz = await admin.GetAsync("/readyz");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, readyz.StatusCode);
            Assert.Contains("shutting down", await readyz.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/healthz")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/state")).StatusCode);
            Assert.Equal("a", await client.GetStringAsync("/"));
        }
        finally
        {
            delay.Release.TrySetResult();
        }

        await Poll.UntilAsync(async () =>
        {
            try
            {
                using var _ = await admin.GetAsync("/healthz");
                return false;
            }
            catch (HttpRequestException)
            {
                return true;
            }
        }, "the admin listener stops with the host");
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
