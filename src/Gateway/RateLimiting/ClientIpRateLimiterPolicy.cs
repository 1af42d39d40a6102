using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace Gateway.RateLimiting;

/// <summary>
/// One <c>Gateway:RateLimits</c> policy: a limiter per client IP (<c>HttpContext.Connection.RemoteIpAddress</c>,
/// which the client IP step has already resolved from PROXY protocol or trusted <c>X-Forwarded-For</c>).
/// A rejected request gets 429, <c>Retry-After</c> in whole seconds for every kind but <c>Concurrency</c>, and
/// a plain-text reason.
/// </summary>
internal sealed class ClientIpRateLimiterPolicy : IRateLimiterPolicy<IPAddress>
{
    private readonly string _name;
    private readonly string _kind;
    private readonly Func<IPAddress, RateLimiter> _factory;
    private readonly TimeSpan? _fallbackRetryAfter;

    public ClientIpRateLimiterPolicy(string name, RateLimitPolicySettings settings)
    {
        _name = name;
        _kind = RateLimitKinds.All.First(k => string.Equals(k, settings.Kind, StringComparison.OrdinalIgnoreCase));
        var queueLimit = settings.QueueLimit;
        const QueueProcessingOrder order = QueueProcessingOrder.OldestFirst;
        switch (_kind)
        {
            case RateLimitKinds.FixedWindow:
                var fixedWindow = new FixedWindowRateLimiterOptions
                {
                    PermitLimit = settings.PermitLimit!.Value,
                    Window = settings.Window!.Value,
                    QueueLimit = queueLimit,
                    QueueProcessingOrder = order,
                };
                _factory = _ => new FixedWindowRateLimiter(fixedWindow);
                _fallbackRetryAfter = fixedWindow.Window;
                break;
            case RateLimitKinds.SlidingWindow:
                var slidingWindow = new SlidingWindowRateLimiterOptions
                {
                    PermitLimit = settings.PermitLimit!.Value,
                    Window = settings.Window!.Value,
                    SegmentsPerWindow = settings.SegmentsPerWindow!.Value,
                    QueueLimit = queueLimit,
                    QueueProcessingOrder = order,
                };
                _factory = _ => new SlidingWindowRateLimiter(slidingWindow);
                // The sliding window's lease carries no RetryAfter; one segment is the soonest a permit can return.
                _fallbackRetryAfter = slidingWindow.Window / slidingWindow.SegmentsPerWindow;
                break;
            case RateLimitKinds.TokenBucket:
                var tokenBucket = new TokenBucketRateLimiterOptions
                {
                    TokenLimit = settings.TokenLimit!.Value,
                    TokensPerPeriod = settings.TokensPerPeriod!.Value,
                    ReplenishmentPeriod = settings.ReplenishmentPeriod!.Value,
                    QueueLimit = queueLimit,
                    QueueProcessingOrder = order,
                };
                _factory = _ => new TokenBucketRateLimiter(tokenBucket);
                _fallbackRetryAfter = tokenBucket.ReplenishmentPeriod;
                break;
            default:
                var concurrency = new ConcurrencyLimiterOptions
                {
                    PermitLimit = settings.PermitLimit!.Value,
                    QueueLimit = queueLimit,
                    QueueProcessingOrder = order,
                };
                _factory = _ => new ConcurrencyLimiter(concurrency);
                break;
        }

        OnRejected = RejectAsync;
    }

    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected { get; }

    public RateLimitPartition<IPAddress> GetPartition(HttpContext httpContext)
    {
        var address = httpContext.Connection.RemoteIpAddress ?? IPAddress.None;
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return RateLimitPartition.Get(address, _factory);
    }

    /// <summary>Whole seconds, rounded up so that a client coming back then finds a permit; never 0.</summary>
    internal static long ToRetryAfterSeconds(TimeSpan retryAfter) => Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds));

    private ValueTask RejectAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var response = context.HttpContext.Response;
        response.StatusCode = StatusCodes.Status429TooManyRequests;
        response.ContentType = "text/plain; charset=utf-8";
        string reason;
        if (_kind != RateLimitKinds.Concurrency
            && (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : _fallbackRetryAfter) is { } wait)
        {
            var seconds = ToRetryAfterSeconds(wait);
            response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            reason = string.Create(CultureInfo.InvariantCulture, $"Too many requests: rate limit '{_name}' exceeded; retry after {seconds} s.\n");
        }
        else
        {
            reason = $"Too many requests: rate limit '{_name}' ({_kind}) exceeded.\n";
        }

        return new ValueTask(response.WriteAsync(reason, cancellationToken));
    }
}
