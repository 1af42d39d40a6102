using System.Net;
using Gateway.IntegrationTests.Infrastructure;
using Gateway.IntegrationTests.Reliability;
using Xunit.Abstractions;

namespace Gateway.IntegrationTests.Faults;

/// <summary>
/// A backend process killed, frozen (SIGSTOP) and restarted while the gateway serves concurrent load.
/// The backends are real processes (the gateway in demo mode), so the failures are the kernel's, not a simulation.
/// </summary>
public sealed class BackendFaultTests(ITestOutputHelper output)
{
    private const int Workers = 8;

    [Fact]
    public async Task BackendKilled_UnderConcurrentGetLoad_NoClientVisibleError()
    {
        using var one = await BackendProcess.StartAsync();
        using var two = await BackendProcess.StartAsync();
        using var gateway = new GatewayFactory(Config(one, two));
        await using var load = new LoadRunner(gateway.PublicAddress, Workers, TimeSpan.FromMinutes(2));

        await WaitForRequestsAsync(load, 300);
        var killedAt = load.Now;
        one.Kill();
        await WaitForRequestsAsync(load, load.Results.Count + 600);
        var results = await load.StopAsync();

        var failed = results.Where(r => !r.Ok).ToArray();
        var after = results.Where(r => r.StartedAt > killedAt).ToArray();
        output.WriteLine($"kill: {results.Count} requests, {after.Length} after the kill, {failed.Length} failed");
        Assert.True(failed.Length == 0, $"{failed.Length} failed: {string.Join(", ", failed.Take(10).Select(f => f.Describe()))}");
        Assert.All(after.Skip(after.Length / 2), r => Assert.Contains(BackendProcess.HostOf(r.Body), two.Hosts));
    }

    [Fact]
    public async Task BackendFrozen_UnderConcurrentLoad_504WithinTimeoutBoundedAndRecovers()
    {
        var timeout = TimeSpan.FromSeconds(2);
        using var one = await BackendProcess.StartAsync();
        using var two = await BackendProcess.StartAsync();
        using var gateway = new GatewayFactory(Config(one, two, timeout));
        await using var load = new LoadRunner(gateway.PublicAddress, Workers, TimeSpan.FromMinutes(2));

        await WaitForRequestsAsync(load, 300);
        var frozenAt = load.Now;
        one.Freeze();
        await Task.Delay(TimeSpan.FromSeconds(6));
        one.Thaw();
        var thawedAt = load.Now;
        await Task.Delay(TimeSpan.FromSeconds(3));
        var recoveredFrom = load.Now;
        await WaitForRequestsAsync(load, load.Results.Count + 400);
        var results = await load.StopAsync();

        var failed = results.Where(r => !r.Ok).ToArray();
        output.WriteLine($"SIGSTOP for 6 s: {results.Count} requests, {failed.Length} failed ({string.Join(", ", failed.GroupBy(f => f.Describe()).Select(g => $"{g.Count()} x {g.Key}"))}), slowest failure {failed.Select(f => f.Elapsed.TotalSeconds).DefaultIfEmpty().Max():F2} s");
        Assert.NotEmpty(failed);
        Assert.All(failed, f =>
        {
            Assert.Equal(HttpStatusCode.GatewayTimeout, f.Status);
            Assert.InRange(f.Elapsed, timeout - TimeSpan.FromMilliseconds(100), timeout + TimeSpan.FromSeconds(3));
            Assert.InRange(f.StartedAt, frozenAt - TimeSpan.FromSeconds(1), thawedAt);
        });
        // Each worker can lose at most one request per timeout while the backend is frozen.
        Assert.InRange(failed.Length, 1, Workers * (int)Math.Ceiling(6 / timeout.TotalSeconds + 1));
        var recovered = results.Where(r => r.StartedAt > recoveredFrom).ToArray();
        Assert.All(recovered, r => Assert.True(r.Ok, r.Describe()));
        Assert.Contains(recovered, r => one.Hosts.Contains(BackendProcess.HostOf(r.Body)));
    }

    [Fact]
    public async Task BackendRestarted_UnderConcurrentLoad_NoErrorAndServesAgain()
    {
        using var one = await BackendProcess.StartAsync();
        using var two = await BackendProcess.StartAsync();
        using var gateway = new GatewayFactory(Config(one, two));
        await using var load = new LoadRunner(gateway.PublicAddress, Workers, TimeSpan.FromMinutes(2));

        await WaitForRequestsAsync(load, 300);
        one.Kill();
        await WaitForRequestsAsync(load, load.Results.Count + 300);
        await one.StartAsync(CancellationToken.None);
        var restartedAt = load.Now;
        await Eventually.TrueAsync(
            () => load.Results.Any(r => r.StartedAt > restartedAt && r.Ok && one.Hosts.Contains(BackendProcess.HostOf(r.Body))),
            "the restarted backend serves through the gateway again",
            TimeSpan.FromSeconds(30));
        var results = await load.StopAsync();

        var failed = results.Where(r => !r.Ok).ToArray();
        output.WriteLine($"kill and restart: {results.Count} requests, {failed.Length} failed");
        Assert.True(failed.Length == 0, $"{failed.Length} failed: {string.Join(", ", failed.Take(10).Select(f => f.Describe()))}");
    }

    private static Task WaitForRequestsAsync(LoadRunner load, int count)
        => Eventually.TrueAsync(() => load.Results.Count >= count, $"{count} requests are done", TimeSpan.FromSeconds(60));

    private static string Config(BackendProcess one, BackendProcess two, TimeSpan? timeout = null)
        => ReliabilityConfigs.Cluster(
            "RoundRobin",
            [("one", one.Address), ("two", two.Address)],
            httpRequest: timeout is { } t ? new { ActivityTimeout = t.ToString("c", System.Globalization.CultureInfo.InvariantCulture) } : null);
}
