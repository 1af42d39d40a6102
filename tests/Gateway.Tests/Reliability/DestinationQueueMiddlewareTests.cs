using Gateway.Reliability;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;

namespace Gateway.Tests.Reliability;

public sealed class DestinationQueueMiddlewareTests
{
    [Fact]
    public async Task InvokeAsync_QueuedLongerThanQueueTimeout_503AfterExactlyTheTimeout()
    {
        var time = new FakeTimeProvider();
        var release = new TaskCompletionSource();
        var (cluster, destination) = Model("00:00:02", maxConnections: "1", maxQueue: null);
        var queues = new DestinationQueues(null!);
        var middleware = new DestinationQueueMiddleware(_ => release.Task, queues, time, NullLogger<DestinationQueueMiddleware>.Instance);

        var first = middleware.InvokeAsync(Context(cluster, destination));
        var secondContext = Context(cluster, destination);
        var second = middleware.InvokeAsync(secondContext);
        Assert.Equal(1, queues.GetQueued(destination));

        time.Advance(TimeSpan.FromMilliseconds(1999));
        Assert.False(second.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await second;

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, secondContext.Response.StatusCode);
        Assert.Equal(0, queues.GetQueued(destination));
        Assert.Equal(1, queues.Snapshot().Single().QueueTimeouts);
        release.SetResult();
        await first;
    }

    [Fact]
    public async Task InvokeAsync_NoMaxConnections_PassesThroughWithoutQueue()
    {
        var (cluster, destination) = Model(null, maxConnections: null, maxQueue: null);
        var queues = new DestinationQueues(null!);
        var calls = 0;
        var middleware = new DestinationQueueMiddleware(_ => { calls++; return Task.CompletedTask; }, queues, TimeProvider.System, NullLogger<DestinationQueueMiddleware>.Instance);

        await middleware.InvokeAsync(Context(cluster, destination));

        Assert.Equal(1, calls);
        Assert.Empty(queues.Snapshot());
    }

    [Fact]
    public async Task InvokeAsync_MaxQueueZeroAndSlotBusy_503AtOnce()
    {
        var release = new TaskCompletionSource();
        var (cluster, destination) = Model(null, maxConnections: "1", maxQueue: "0");
        var queues = new DestinationQueues(null!);
        var middleware = new DestinationQueueMiddleware(_ => release.Task, queues, new FakeTimeProvider(), NullLogger<DestinationQueueMiddleware>.Instance);

        var first = middleware.InvokeAsync(Context(cluster, destination));
        var secondContext = Context(cluster, destination);
        await middleware.InvokeAsync(secondContext);

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, secondContext.Response.StatusCode);
        release.SetResult();
        await first;
    }

    private static (ClusterModel Cluster, DestinationState Destination) Model(string? queueTimeout, string? maxConnections, string? maxQueue)
    {
        var clusterMetadata = new Dictionary<string, string>();
        if (queueTimeout is not null)
        {
            clusterMetadata["QueueTimeout"] = queueTimeout;
        }

        var destinationMetadata = new Dictionary<string, string>();
        if (maxConnections is not null)
        {
            destinationMetadata["MaxConnections"] = maxConnections;
        }

        if (maxQueue is not null)
        {
            destinationMetadata["MaxQueue"] = maxQueue;
        }

        var cluster = new ClusterModel(new ClusterConfig { ClusterId = "web", Metadata = clusterMetadata }, new HttpMessageInvoker(new HttpClientHandler()));
        var destination = new DestinationState("d1", new DestinationModel(new DestinationConfig { Address = "http://127.0.0.1:1/", Metadata = destinationMetadata }));
        return (cluster, destination);
    }

    private static DefaultHttpContext Context(ClusterModel cluster, DestinationState destination)
    {
        var context = new DefaultHttpContext();
        context.Response.Body = new MemoryStream();
        context.Features.Set<IReverseProxyFeature>(new ProxyFeature(cluster, [destination]));
        return context;
    }

    private sealed class ProxyFeature(ClusterModel cluster, IReadOnlyList<DestinationState> destinations) : IReverseProxyFeature
    {
        public RouteModel Route => throw new NotSupportedException();

        public ClusterModel Cluster { get; } = cluster;

        public IReadOnlyList<DestinationState> AllDestinations { get; } = destinations;

        public IReadOnlyList<DestinationState> AvailableDestinations { get; set; } = destinations;

        public DestinationState? ProxiedDestination { get; set; }
    }
}
