using System.Text;
using Gateway.Health;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Gateway.Tests.Health;

public sealed class NoAvailableDestinationMiddlewareTests
{
    private static readonly HttpMessageInvoker s_invoker = new(new SocketsHttpHandler());

    [Fact]
    public async Task Invoke_NoDestination_503WithPlainTextNamingClusterAndNoForwarding()
    {
        var forwarded = false;
        var middleware = new NoAvailableDestinationMiddleware(_ => { forwarded = true; return Task.CompletedTask; });
        var context = Context("GET", []);

        await middleware.Invoke(context);

        Assert.False(forwarded);
        Assert.Equal(503, context.Response.StatusCode);
        Assert.StartsWith("text/plain", context.Response.ContentType);
        Assert.Contains("cluster 'shop'", Body(context));
        Assert.Equal(ForwarderError.NoAvailableDestinations, context.Features.Get<IForwarderErrorFeature>()!.Error);
    }

    [Fact]
    public async Task Invoke_Head_503WithoutBody()
    {
        var middleware = new NoAvailableDestinationMiddleware(_ => Task.CompletedTask);
        var context = Context("HEAD", []);

        await middleware.Invoke(context);

        Assert.Equal(503, context.Response.StatusCode);
        Assert.Equal(string.Empty, Body(context));
    }

    [Fact]
    public async Task Invoke_DestinationAvailable_PassesOn()
    {
        var forwarded = false;
        var middleware = new NoAvailableDestinationMiddleware(_ => { forwarded = true; return Task.CompletedTask; });
        var context = Context("GET", [new DestinationState("a", new DestinationModel(new DestinationConfig { Address = "http://a.test/" }))]);

        await middleware.Invoke(context);

        Assert.True(forwarded);
        Assert.Equal(200, context.Response.StatusCode);
    }

    private static DefaultHttpContext Context(string method, IReadOnlyList<DestinationState> available)
    {
        var cluster = new ClusterState("shop", new ClusterModel(new ClusterConfig { ClusterId = "shop" }, s_invoker));
        var route = new RouteModel(new RouteConfig { RouteId = "r", ClusterId = "shop" }, cluster, HttpTransformer.Default);
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Response.Body = new MemoryStream();
        context.Features.Set<IReverseProxyFeature>(new ReverseProxyFeature
        {
            Route = route,
            Cluster = cluster.Model,
            AllDestinations = available,
            AvailableDestinations = available,
        });
        return context;
    }

    private static string Body(HttpContext context) => Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray());
}
