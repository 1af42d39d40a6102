using System.Net;
using Gateway.IntegrationTests.Protos;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.IntegrationTests.Infrastructure;

/// <summary>A gRPC backend on 127.0.0.1 speaking HTTP/2 without TLS (h2c, prior knowledge), as services in a cluster usually do.</summary>
public sealed class GrpcBackend : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GrpcBackend(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public string Address => $"http://127.0.0.1:{Port}/";

    public static async Task<GrpcBackend> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        var app = builder.Build();
        app.MapGrpcService<EchoService>();
        await app.StartAsync();
        var port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        return new GrpcBackend(app, port);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed class EchoService : Echo.EchoBase
    {
        public override Task<EchoReply> Say(EchoRequest request, ServerCallContext context)
            => Task.FromResult(new EchoReply { Text = request.Text, Protocol = context.GetHttpContext().Request.Protocol });

        public override async Task Count(EchoRequest request, IServerStreamWriter<EchoReply> responseStream, ServerCallContext context)
        {
            for (var i = 1; i <= request.Times; i++)
            {
                await responseStream.WriteAsync(new EchoReply { Text = $"{request.Text} {i}" });
            }
        }
    }
}
