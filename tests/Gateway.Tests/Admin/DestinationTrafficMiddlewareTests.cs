using Gateway.Admin;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Gateway.Tests.Admin;

public sealed class DestinationTrafficMiddlewareTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly DestinationState _destination = new("a");
    private readonly DestinationTraffic _traffic;

    public DestinationTrafficMiddlewareTests() => _traffic = new DestinationTraffic(new NoClusters(), _time);

    [Fact]
    public async Task Invoke_AsyncForwarder_CountsRequestAndLatency()
    {
        var middleware = new DestinationTrafficMiddleware(async context => await ForwardAsync(context, 200, TimeSpan.FromMilliseconds(40)), _traffic);
        _traffic.For(_destination).TakeSample(_time.GetTimestamp());

        await middleware.Invoke(NewContext());

        var counters = _traffic.For(_destination);
        Assert.Equal(1, counters.Total);
        Assert.Equal(0, counters.Failed);
        Assert.Equal(40.0, counters.Window(_time.GetTimestamp(), _time.TimestampFrequency).LatencyMs);
    }

    [Theory]
    [InlineData(200, false)]
    [InlineData(404, false)]
    [InlineData(500, true)]
    [InlineData(503, true)]
    public async Task Invoke_ResponseStatus_FailedOnlyFor5xx(int status, bool failed)
    {
        var middleware = new DestinationTrafficMiddleware(context => ForwardAsync(context, status, TimeSpan.Zero), _traffic);

        await middleware.Invoke(NewContext());

        Assert.Equal(failed ? 1 : 0, _traffic.For(_destination).Failed);
    }

    [Theory]
    [InlineData(ForwarderError.Request, true)]
    [InlineData(ForwarderError.RequestTimedOut, true)]
    [InlineData(ForwarderError.ResponseBodyDestination, true)]
    [InlineData(ForwarderError.RequestCanceled, false)]
    [InlineData(ForwarderError.ResponseBodyClient, false)]
    [InlineData(ForwarderError.RequestBodyCanceled, false)]
    public async Task Invoke_ForwarderError_FailedUnlessClientCaused(ForwarderError error, bool failed)
    {
        var middleware = new DestinationTrafficMiddleware(context =>
        {
            context.Features.Set<IForwarderErrorFeature>(new ErrorFeature(error));
            return ForwardAsync(context, 502, TimeSpan.Zero);
        }, _traffic);

        await middleware.Invoke(NewContext());

        Assert.Equal(1, _traffic.For(_destination).Total);
        Assert.Equal(failed ? 1 : 0, _traffic.For(_destination).Failed);
    }

    [Fact]
    public async Task Invoke_NoDestinationPicked_CountsNothing()
    {
        var middleware = new DestinationTrafficMiddleware(context =>
        {
            context.Response.StatusCode = 503;
            return Task.CompletedTask;
        }, _traffic);

        await middleware.Invoke(NewContext());

        Assert.Equal(0, _traffic.For(_destination).Total);
    }

    [Fact]
    public async Task Invoke_ForwarderThrows_CountsFailureAndRethrows()
    {
        var middleware = new DestinationTrafficMiddleware(async context =>
        {
            await Task.Yield();
            context.GetReverseProxyFeature().ProxiedDestination = _destination;
            throw new InvalidOperationException("boom");
        }, _traffic);

        await Assert.ThrowsAsync<InvalidOperationException>(() => middleware.Invoke(NewContext()));

        Assert.Equal(1, _traffic.For(_destination).Failed);
    }

    [Fact]
    public async Task Invoke_SynchronousForwarder_AllocatesNothing()
    {
        var context = NewContext();
        var middleware = new DestinationTrafficMiddleware(c => ForwardAsync(c, 200, TimeSpan.Zero), _traffic);
        await middleware.Invoke(context);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            _ = middleware.Invoke(context);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(1001, _traffic.For(_destination).Total);
    }

    private Task ForwardAsync(HttpContext context, int status, TimeSpan takes)
    {
        context.GetReverseProxyFeature().ProxiedDestination = _destination;
        _time.Advance(takes);
        context.Response.StatusCode = status;
        return Task.CompletedTask;
    }

    private static DefaultHttpContext NewContext()
    {
        var context = new DefaultHttpContext();
        context.Features.Set<IReverseProxyFeature>(new ReverseProxyFeature { AvailableDestinations = [] });
        return context;
    }

    private sealed record ErrorFeature(ForwarderError Error) : IForwarderErrorFeature
    {
        public Exception? Exception => null;
    }

    private sealed class NoClusters : IProxyStateLookup
    {
        public bool TryGetRoute(string id, out RouteModel route) => throw new NotSupportedException();

        public IEnumerable<RouteModel> GetRoutes() => [];

        public bool TryGetCluster(string id, out ClusterState cluster) => throw new NotSupportedException();

        public IEnumerable<ClusterState> GetClusters() => [];
    }
}
