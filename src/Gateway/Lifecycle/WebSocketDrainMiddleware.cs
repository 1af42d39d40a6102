using Microsoft.AspNetCore.Http.Features;

namespace Gateway.Lifecycle;

/// <summary>
/// Gives WebSocket requests (an HTTP/1.1 upgrade or an HTTP/2 extended CONNECT) an upgrade feature whose
/// stream can be closed cleanly on shutdown. Every other request passes with two feature look-ups.
/// </summary>
internal sealed class WebSocketDrainMiddleware(RequestDelegate next, WebSocketDrain drain)
{
    private const string WebSocketProtocol = "websocket";

    public Task InvokeAsync(HttpContext context)
    {
        var features = context.Features;
        if (features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true } upgrade
            && string.Equals(context.Request.Headers.Upgrade, WebSocketProtocol, StringComparison.OrdinalIgnoreCase))
        {
            features.Set<IHttpUpgradeFeature>(new UpgradeFeature(upgrade, drain));
        }
        else if (features.Get<IHttpExtendedConnectFeature>() is { IsExtendedConnect: true } connect
            && string.Equals(connect.Protocol, WebSocketProtocol, StringComparison.OrdinalIgnoreCase))
        {
            features.Set<IHttpExtendedConnectFeature>(new ExtendedConnectFeature(connect, drain));
        }

        return next(context);
    }

    private sealed class UpgradeFeature(IHttpUpgradeFeature inner, WebSocketDrain drain) : IHttpUpgradeFeature
    {
        public bool IsUpgradableRequest => inner.IsUpgradableRequest;

        public async Task<Stream> UpgradeAsync() => new WebSocketCloseOnDrainStream(await inner.UpgradeAsync(), drain);
    }

    private sealed class ExtendedConnectFeature(IHttpExtendedConnectFeature inner, WebSocketDrain drain) : IHttpExtendedConnectFeature
    {
        public bool IsExtendedConnect => inner.IsExtendedConnect;

        public string? Protocol => inner.Protocol;

        public async ValueTask<Stream> AcceptAsync() => new WebSocketCloseOnDrainStream(await inner.AcceptAsync(), drain);
    }
}
