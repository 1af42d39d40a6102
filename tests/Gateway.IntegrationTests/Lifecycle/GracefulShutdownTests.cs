using System.Net.Sockets;
using System.Net.WebSockets;
using Gateway.IntegrationTests.Infrastructure;
using Gateway.IntegrationTests.Protocols;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.IntegrationTests.Lifecycle;

/// <summary>The in-process half of graceful drain: the gateway is stopped the way SIGTERM stops it.</summary>
public sealed class GracefulShutdownTests
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Stop_SlowRequestInFlight_RequestCompletesThenListenerCloses()
    {
        var slow = new SlowHandler(TimeSpan.FromSeconds(2));
        await using var backend = await TestBackend.StartAsync("slow");
        backend.Handler = slow.HandleAsync;
        var gateway = new GatewayFactory(Configs.SingleCluster("RoundRobin", backend));
        var address = gateway.PublicAddress;
        using var client = gateway.CreatePublicClient();

        var request = client.GetStringAsync("/slow");
        await slow.Started.WaitAsync(s_deadline);
        var stop = gateway.DisposeAsync().AsTask();

        Assert.Equal("slow done", await request.WaitAsync(s_deadline));
        await stop.WaitAsync(s_deadline);
        await Assert.ThrowsAnyAsync<SocketException>(() => new TcpClient().ConnectAsync(address.Host, address.Port));
    }

    [Fact]
    public async Task Stop_DuringShutdownDelay_StoppingSignalledAndNewConnectionsStillServed()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var backend = await TestBackend.StartAsync("web");
        var gateway = new GatewayFactory(Configs.SingleCluster("RoundRobin", backend), new Dictionary<string, string?>
        {
            ["Gateway:ShutdownDelay"] = "00:00:10",
        })
        {
            ConfigureTestServices = services => services.AddSingleton<TimeProvider>(time),
        };
        var lifetime = gateway.Services.GetRequiredService<IHostApplicationLifetime>();
        var address = gateway.PublicAddress;

        var stop = gateway.DisposeAsync().AsTask();
        await WaitUntilAsync(() => lifetime.ApplicationStopping.IsCancellationRequested);

        // /readyz answers 503 from this moment; the public listener must still take new connections.
        using (var client = new HttpClient { BaseAddress = address, Timeout = s_deadline })
        {
            Assert.Equal("web", await client.GetStringAsync("/during-delay"));
        }

        Assert.False(stop.IsCompleted);
        while (!stop.IsCompleted)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(stop, Task.Delay(50));
        }

        await stop;
    }

    [Fact]
    public async Task Stop_OpenWebSocket_ClientGetsGoingAwayAndCloseReachesBackend()
    {
        var echo = new WebSocketEcho();
        await using var backend = await TestBackend.StartAsync("ws");
        backend.Handler = echo.HandleAsync;
        var gateway = new GatewayFactory(Configs.SingleCluster("RoundRobin", backend), new Dictionary<string, string?>
        {
            ["Gateway:ShutdownTimeout"] = "00:02:00",
        });
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{gateway.PublicAddress.Port}/ws"), CancellationToken.None);
        Assert.Equal("before stop", await WebSocketTests.RoundTripAsync(socket, "before stop"));

        var stop = gateway.DisposeAsync().AsTask();
        using var timeout = new CancellationTokenSource(s_deadline);
        var received = await socket.ReceiveAsync(new byte[1024], timeout.Token);
        await socket.CloseOutputAsync(WebSocketCloseStatus.EndpointUnavailable, "bye", CancellationToken.None);

        Assert.Equal(WebSocketMessageType.Close, received.MessageType);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, received.CloseStatus);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, await echo.Closed.WaitAsync(s_deadline));

        // Well inside the two-minute ShutdownTimeout: the WebSocket ended, it was not left to be aborted.
        await stop.WaitAsync(s_deadline);
    }

    [Fact]
    public async Task Stop_RequestOutlastsShutdownTimeout_AbortedAndStopReturns()
    {
        var slow = new SlowHandler(TimeSpan.FromMinutes(5));
        await using var backend = await TestBackend.StartAsync("stuck");
        backend.Handler = slow.HandleAsync;
        var gateway = new GatewayFactory(Configs.SingleCluster("RoundRobin", backend), new Dictionary<string, string?>
        {
            ["Gateway:ShutdownTimeout"] = "00:00:01",
        });
        using var client = gateway.CreatePublicClient();

        var request = client.GetStringAsync("/stuck");
        await slow.Started.WaitAsync(s_deadline);
        await gateway.DisposeAsync().AsTask().WaitAsync(s_deadline);

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => request.WaitAsync(s_deadline));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + s_deadline;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "Condition not met in time.");
            await Task.Delay(10);
        }
    }

    /// <summary>A backend handler that takes its time, and says when a request has reached it.</summary>
    internal sealed class SlowHandler(TimeSpan duration)
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Started => _started.Task;

        public async Task HandleAsync(HttpContext context)
        {
            _started.TrySetResult();
            await Task.Delay(duration, context.RequestAborted);
            await context.Response.WriteAsync("slow done");
        }
    }
}
