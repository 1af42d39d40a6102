using Gateway.Configuration;
using Gateway.Lifecycle;
using Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Lifecycle;

public sealed class GracefulShutdownTests
{
    [Fact]
    public async Task StoppingAsync_WithDelay_WaitsForItThenClosesWebSockets()
    {
        var time = new FakeTimeProvider();
        var drain = new WebSocketDrain();
        var options = Options.Create(new GatewayOptions { ShutdownDelay = TimeSpan.FromSeconds(10) });
        var shutdown = new GracefulShutdown(options, drain, new TestLifetime(), time, new ListLogger<GracefulShutdown>());

        var stopping = shutdown.StoppingAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(9));
        await Task.Yield();

        Assert.False(stopping.IsCompleted);
        Assert.False(drain.Closing.IsCancellationRequested);

        time.Advance(TimeSpan.FromSeconds(1));
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(drain.Closing.IsCancellationRequested);
    }

    [Fact]
    public async Task StoppingAsync_StoppedDirectly_SignalsApplicationStoppingBeforeTheDelay()
    {
        var time = new FakeTimeProvider();
        var drain = new WebSocketDrain();
        var lifetime = new TestLifetime();
        var options = Options.Create(new GatewayOptions { ShutdownDelay = TimeSpan.FromSeconds(10) });
        var shutdown = new GracefulShutdown(options, drain, lifetime, time, new ListLogger<GracefulShutdown>());

        var stopping = shutdown.StoppingAsync(CancellationToken.None);

        Assert.True(lifetime.ApplicationStopping.IsCancellationRequested);
        Assert.False(stopping.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(10));
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task StoppingAsync_NoDelay_ClosesWebSocketsAtOnce()
    {
        var drain = new WebSocketDrain();
        var shutdown = new GracefulShutdown(Options.Create(new GatewayOptions()), drain, new TestLifetime(), new FakeTimeProvider(), new ListLogger<GracefulShutdown>());

        await shutdown.StoppingAsync(CancellationToken.None);

        Assert.True(drain.Closing.IsCancellationRequested);
    }

    [Fact]
    public async Task StoppingAsync_HostBudgetRunsOut_ReturnsWithoutThrowing()
    {
        var time = new FakeTimeProvider();
        var drain = new WebSocketDrain();
        var options = Options.Create(new GatewayOptions { ShutdownDelay = TimeSpan.FromMinutes(5) });
        var shutdown = new GracefulShutdown(options, drain, new TestLifetime(), time, new ListLogger<GracefulShutdown>());
        using var budget = new CancellationTokenSource();

        var stopping = shutdown.StoppingAsync(budget.Token);
        await budget.CancelAsync();

        await stopping.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(drain.Closing.IsCancellationRequested);
    }

    [Theory]
    [InlineData(null, null, 30)]
    [InlineData("00:00:10", "00:00:20", 30)]
    [InlineData("00:00:05", null, 35)]
    [InlineData("not a time", "00:00:07", 7)]
    public void AddGatewayLifecycle_HostShutdownTimeout_IsDelayPlusTimeout(string? delay, string? timeout, int expectedSeconds)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Gateway:ShutdownDelay"] = delay,
            ["Gateway:ShutdownTimeout"] = timeout,
        });

        builder.AddGatewayLifecycle();
        using var services = builder.Services.BuildServiceProvider();

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
    }

    private sealed class TestLifetime : IHostApplicationLifetime, IDisposable
    {
        private readonly CancellationTokenSource _stopping = new();

        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => _stopping.Token;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication() => _stopping.Cancel();

        public void Dispose() => _stopping.Dispose();
    }
}
