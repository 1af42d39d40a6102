using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Gateway.Observability;

/// <summary>
/// Adds to every route the two transforms that bracket the upstream exchange: YARP runs request transforms
/// just before it sends and response transforms as soon as the response headers are in (or with no
/// response, after a failure), which is exactly the span HAProxy reports as the server's response time.
/// </summary>
internal sealed class UpstreamTimingTransformProvider : ITransformProvider
{
    private readonly UpstreamSentTransform _sent;
    private readonly UpstreamRespondedTransform _responded;

    public UpstreamTimingTransformProvider(TimeProvider timeProvider)
    {
        _sent = new UpstreamSentTransform(timeProvider);
        _responded = new UpstreamRespondedTransform(timeProvider);
    }

    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context)
    {
        context.RequestTransforms.Add(_sent);
        context.ResponseTransforms.Add(_responded);
    }

    private sealed class UpstreamSentTransform(TimeProvider timeProvider) : RequestTransform
    {
        public override ValueTask ApplyAsync(RequestTransformContext context)
        {
            if (context.HttpContext.Features.Get<ProxyRequestTelemetry>() is { } telemetry)
            {
                // A retry starts the clock again: the time reported is that of the attempt that answered.
                telemetry.UpstreamSentAt = timeProvider.GetTimestamp();
                telemetry.UpstreamRespondedAt = 0;
            }

            return default;
        }
    }

    private sealed class UpstreamRespondedTransform(TimeProvider timeProvider) : ResponseTransform
    {
        public override ValueTask ApplyAsync(ResponseTransformContext context)
        {
            if (context.ProxyResponse is not null && context.HttpContext.Features.Get<ProxyRequestTelemetry>() is { } telemetry)
            {
                telemetry.UpstreamRespondedAt = timeProvider.GetTimestamp();
            }

            return default;
        }
    }
}
