namespace Gateway.RateLimiting;

/// <summary>
/// <c>Gateway:RateLimits:{name}</c>: the rate-limit policies that routes attach with YARP's
/// <c>RateLimiterPolicy</c>, each partitioned by client IP.
/// </summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "Gateway:RateLimits";

    public Dictionary<string, RateLimitPolicySettings> Policies { get; } = new(StringComparer.Ordinal);

    /// <summary>Keys that could not be bound (unknown names, unconvertible values), reported by validation.</summary>
    public List<string> BindingErrors { get; } = [];

    /// <summary>
    /// Binds each policy on its own so that one bad value names its policy and key and does not hide the
    /// others' errors; an unknown key (a typo such as <c>PermitLimt</c>) is an error rather than ignored.
    /// </summary>
    public void Bind(IConfiguration configuration)
    {
        var known = typeof(RateLimitPolicySettings).GetProperties().Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var section in configuration.GetSection(SectionName).GetChildren())
        {
            var where = $"{SectionName}:{section.Key}";
            foreach (var key in section.GetChildren().Select(c => c.Key).Where(k => !known.Contains(k)))
            {
                BindingErrors.Add($"{where}:{key} is not a rate-limit setting; the settings are {string.Join(", ", known)}.");
            }

            var settings = new RateLimitPolicySettings();
            try
            {
                section.Bind(settings);
                Policies[section.Key] = settings;
            }
            catch (InvalidOperationException ex)
            {
                BindingErrors.Add(ex.Message);
            }
        }
    }
}

public static class RateLimitKinds
{
    public const string FixedWindow = "FixedWindow";
    public const string SlidingWindow = "SlidingWindow";
    public const string TokenBucket = "TokenBucket";
    public const string Concurrency = "Concurrency";

    public static readonly string[] All = [FixedWindow, SlidingWindow, TokenBucket, Concurrency];
}

/// <summary>One policy: ASP.NET Core's limiter options under the contract's names.</summary>
public sealed class RateLimitPolicySettings
{
    /// <summary><c>FixedWindow</c>, <c>SlidingWindow</c>, <c>TokenBucket</c> or <c>Concurrency</c>.</summary>
    public string? Kind { get; set; }

    /// <summary>FixedWindow, SlidingWindow: requests per window; Concurrency: requests in flight.</summary>
    public int? PermitLimit { get; set; }

    /// <summary>FixedWindow, SlidingWindow.</summary>
    public TimeSpan? Window { get; set; }

    /// <summary>SlidingWindow.</summary>
    public int? SegmentsPerWindow { get; set; }

    /// <summary>TokenBucket: the bucket's size.</summary>
    public int? TokenLimit { get; set; }

    /// <summary>TokenBucket: tokens added each period.</summary>
    public int? TokensPerPeriod { get; set; }

    /// <summary>TokenBucket.</summary>
    public TimeSpan? ReplenishmentPeriod { get; set; }

    /// <summary>Requests that wait (oldest first) instead of being rejected; default 0.</summary>
    public int QueueLimit { get; set; }
}
