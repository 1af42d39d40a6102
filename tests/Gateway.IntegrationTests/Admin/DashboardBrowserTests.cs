using Gateway.Health;
using Gateway.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Gateway.IntegrationTests.Admin;

/// <summary>
/// The dashboard in a real browser: Debian's Chromium (never a downloaded one) driven by Playwright, on a
/// cluster checked by YARP's own <c>ConsecutiveFailures</c> active health check.
/// </summary>
public sealed class DashboardBrowserTests(ITestOutputHelper output)
{
    private const string ChromiumPath = "/usr/bin/chromium";
    private static readonly float s_timeoutMs = 20_000;

    [Fact]
    public async Task Dashboard_DrainAndStoppedBackend_ShownLiveAsDrainAndDown()
    {
        await using var a = await TestBackend.StartAsync("app-1");
        await using var b = await TestBackend.StartAsync("app-2");
        await using var c = await TestBackend.StartAsync("app-3");
        using var gateway = new GatewayFactory(
            AdminConfigs.Cluster([a, b, c], policy: "WeightedRoundRobin", activeHealthCheck: true, weights: new Dictionary<string, int> { ["app-1"] = 2 }),
            new Dictionary<string, string?> { ["Gateway:Admin:Token"] = AdminClient.Token });
        using var client = gateway.CreatePublicClient();
        using var admin = gateway.CreateAdminClient();
        await Poll.UntilAsync(async () => (await admin.GetDestinationAsync("web", "app-3")).GetProperty("health").GetString() == "up", "the first probes pass");
        var failEvery = 0;
        a.Handler = context =>
        {
            context.Response.StatusCode = Interlocked.Increment(ref failEvery) % 25 == 0 ? 500 : 200;
            return context.Response.WriteAsync("app-1");
        };
        using var stopTraffic = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var traffic = SendTrafficAsync(client, stopTraffic.Token);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchChromiumAsync(playwright);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 640 } });
        await page.GotoAsync(gateway.AdminAddress.ToString());
        await Assertions.Expect(Row(page, "app-2")).ToHaveAttributeAsync("data-state", "up", new() { Timeout = s_timeoutMs });

        await admin.SetStateAsync("web", "app-2", "drain");
        await c.StopAsync();
        RecordProbeFailure(gateway, "app-3");

        await Assertions.Expect(Row(page, "app-2")).ToHaveAttributeAsync("data-state", "drain", new() { Timeout = s_timeoutMs });
        await Assertions.Expect(Row(page, "app-2").Locator(".badge")).ToHaveTextAsync("drain");
        await Assertions.Expect(Row(page, "app-3")).ToHaveAttributeAsync("data-state", "down", new() { Timeout = s_timeoutMs });
        await Assertions.Expect(Row(page, "app-3").Locator(".badge")).ToHaveTextAsync("down");
        await Assertions.Expect(Row(page, "app-3").Locator("td.check")).ToContainTextAsync("Connection refused");
        await Assertions.Expect(Row(page, "app-3").Locator("td.history")).ToContainTextAsync("DOWN");
        await Assertions.Expect(Row(page, "app-1")).ToHaveAttributeAsync("data-state", "up");
        await Assertions.Expect(Row(page, "app-1").Locator("td.latency")).ToContainTextAsync("ms", new() { Timeout = s_timeoutMs });

        var screenshot = ArtifactPath("dashboard.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        output.WriteLine($"Dashboard screenshot: {screenshot}");
        await stopTraffic.CancelAsync();
        Assert.True(await traffic > 0);
    }

    [Fact]
    public async Task Dashboard_MaintButton_AsksForTokenAndSetsState()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        using var gateway = new GatewayFactory(AdminConfigs.Cluster([a, b]), new Dictionary<string, string?> { ["Gateway:Admin:Token"] = AdminClient.Token });
        using var admin = gateway.CreateAdminClient();

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchChromiumAsync(playwright);
        var page = await browser.NewPageAsync();
        await page.GotoAsync(gateway.AdminAddress.ToString());

        await Row(page, "b").Locator("button[data-action=maint]").ClickAsync(new() { Timeout = s_timeoutMs });
        await page.Locator("#token-input").FillAsync("not-the-token");
        await page.Locator("#token-dialog button[value=ok]").ClickAsync();
        await Assertions.Expect(page.Locator("#token-dialog")).ToBeVisibleAsync(new() { Timeout = s_timeoutMs });
        Assert.Equal("ready", (await admin.GetDestinationAsync("web", "b")).GetProperty("adminState").GetString());

        await page.Locator("#token-input").FillAsync(AdminClient.Token);
        await page.Locator("#token-dialog button[value=ok]").ClickAsync();

        await Assertions.Expect(Row(page, "b")).ToHaveAttributeAsync("data-state", "maint", new() { Timeout = s_timeoutMs });
        Assert.Equal("maint", (await admin.GetDestinationAsync("web", "b")).GetProperty("adminState").GetString());

        await Row(page, "b").Locator("button[data-action=ready]").ClickAsync();
        await Assertions.Expect(Row(page, "b")).ToHaveAttributeAsync("data-admin-state", "ready", new() { Timeout = s_timeoutMs });
    }

    /// <summary>A steady trickle of requests, so rates and latencies show; bounded in count and time.</summary>
    private static async Task<int> SendTrafficAsync(HttpClient client, CancellationToken stop)
    {
        var sent = 0;
        while (sent < 2_000 && !stop.IsCancellationRequested)
        {
            try
            {
                using var _ = await client.GetAsync($"/page/{sent}", stop);
                await Task.Delay(20, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }

            sent++;
        }

        return sent;
    }

    private static Task<IBrowser> LaunchChromiumAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = ChromiumPath,
        Headless = true,
        Timeout = 60_000,
        Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });

    private static ILocator Row(IPage page, string destinationId) => page.Locator($"tr[data-destination='web/{destinationId}']");

    /// <summary>What the gateway's health checker records for the dashboard beside YARP's own health flag.</summary>
    private static void RecordProbeFailure(GatewayFactory gateway, string destinationId)
    {
        var log = gateway.Services.GetRequiredService<DestinationHealthLog>();
        var now = DateTimeOffset.UtcNow;
        log.RecordCheck("web", "app-1", new HealthCheckResult(now, true, 200, 1.4, null));
        log.RecordCheck("web", "app-2", new HealthCheckResult(now, true, 200, 1.1, null));
        log.RecordTransition("web", destinationId, new HealthTransition(now.AddMinutes(-12), "DOWN", "status 503"));
        log.RecordTransition("web", destinationId, new HealthTransition(now.AddMinutes(-11), "UP", "2 good probes"));
        log.RecordTransition("web", destinationId, new HealthTransition(now, "DOWN", "3 failed probes: Connection refused"));
        log.RecordCheck("web", destinationId, new HealthCheckResult(now, false, null, 0.8, "Connection refused"));
    }

    /// <summary>Test artifacts go to the repository's TestResults folder, which CI keeps and git ignores.</summary>
    private static string ArtifactPath(string fileName)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Gateway.sln")))
        {
            directory = directory.Parent;
        }

        var results = Path.Combine(directory?.FullName ?? AppContext.BaseDirectory, "TestResults");
        Directory.CreateDirectory(results);
        return Path.Combine(results, fileName);
    }
}
