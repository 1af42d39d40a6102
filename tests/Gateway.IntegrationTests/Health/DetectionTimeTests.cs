using System.Globalization;
using Gateway.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Gateway.IntegrationTests.Health;

/// <summary>
/// Measures how fast the default rise/fall (2/3) reacts with a 500 ms interval, over several failure and
/// recovery cycles of a real backend, and prints the figures (run with a trx or detailed console logger to see them).
/// In theory, with probes every interval I: DOWN after (fall - 1) x I to fall x I, UP after (rise - 1) x I to rise x I.
/// </summary>
public sealed class DetectionTimeTests(ITestOutputHelper output)
{
    private const int Cycles = 5;
    private static readonly TimeSpan s_interval = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_margin = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task RiseFall_Interval500Ms_DetectionAndRecoveryWithinBounds()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        using var gateway = new GatewayFactory(HealthConfigs.Cluster([a, b], s_interval, timeout: s_timeout));
        using var client = gateway.CreatePublicClient();
        var health = new HealthProbe(gateway);
        await HealthProbe.UntilAsync(() => health.LastCheck("a") is not null, "a first probe");

        var failing503 = new List<double>();
        var refused = new List<double>();
        var recovered = new List<double>();
        for (var cycle = 1; cycle <= Cycles; cycle++)
        {
            // Alternate the two ways a backend fails: an unhealthy answer, and a stopped process.
            var stopped = cycle % 2 == 0;
            if (stopped)
            {
                await a.StopAsync();
            }
            else
            {
                a.HealthStatus = 503;
            }

            var down = await health.UntilTransitionAsync("a", "DOWN", cycle);
            (stopped ? refused : failing503).Add(down.TotalMilliseconds);
            Assert.True(down <= (s_interval * 3) + s_timeout + s_margin, $"cycle {cycle}: DOWN took {down.TotalMilliseconds:0} ms");

            if (stopped)
            {
                await a.RestartAsync();
            }
            else
            {
                a.HealthStatus = 200;
            }

            var up = await health.UntilTransitionAsync("a", "UP", cycle);
            recovered.Add(up.TotalMilliseconds);
            Assert.True(up <= (s_interval * 2) + s_timeout + s_margin, $"cycle {cycle}: UP took {up.TotalMilliseconds:0} ms");
        }

        output.WriteLine($"interval 500 ms, rise 2, fall 3, {Cycles} cycles");
        output.WriteLine($"DOWN, /health answering 503: {Describe(failing503)}");
        output.WriteLine($"DOWN, backend stopped (connection refused): {Describe(refused)}");
        output.WriteLine($"UP after recovery: {Describe(recovered)}");
    }

    private static string Describe(List<double> milliseconds)
        => string.Create(CultureInfo.InvariantCulture,
            $"min {milliseconds.Min():0} ms, median {milliseconds.Order().ElementAt(milliseconds.Count / 2):0} ms, max {milliseconds.Max():0} ms ({string.Join(", ", milliseconds.Select(m => m.ToString("0", CultureInfo.InvariantCulture)))})");
}
