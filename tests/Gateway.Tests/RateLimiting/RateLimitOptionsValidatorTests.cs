using Gateway.RateLimiting;

namespace Gateway.Tests.RateLimiting;

public sealed class RateLimitOptionsValidatorTests
{
    [Fact]
    public void Validate_EveryKindWellFormed_Succeeds()
    {
        var options = Options(
            ("fixed", new RateLimitPolicySettings { Kind = "FixedWindow", PermitLimit = 10, Window = TimeSpan.FromSeconds(1) }),
            ("sliding", new RateLimitPolicySettings { Kind = "slidingwindow", PermitLimit = 10, Window = TimeSpan.FromSeconds(1), SegmentsPerWindow = 4 }),
            ("bucket", new RateLimitPolicySettings { Kind = "TokenBucket", TokenLimit = 10, TokensPerPeriod = 5, ReplenishmentPeriod = TimeSpan.FromSeconds(1), QueueLimit = 2 }),
            ("concurrency", new RateLimitPolicySettings { Kind = "Concurrency", PermitLimit = 3 }));

        Assert.True(new RateLimitOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void Validate_BadPolicies_EveryErrorNamesPolicyAndKey()
    {
        var options = Options(
            ("nokind", new RateLimitPolicySettings { PermitLimit = 1 }),
            ("typo", new RateLimitPolicySettings { Kind = "LeakyBucket" }),
            ("fixed", new RateLimitPolicySettings { Kind = "FixedWindow", PermitLimit = 0, QueueLimit = -1 }),
            ("sliding", new RateLimitPolicySettings { Kind = "SlidingWindow", PermitLimit = 5, Window = TimeSpan.Zero, SegmentsPerWindow = 2, TokenLimit = 3 }),
            ("Default", new RateLimitPolicySettings { Kind = "Concurrency", PermitLimit = 1 }));

        var result = new RateLimitOptionsValidator().Validate(null, options);

        Assert.Equal(
            [
                "Gateway:RateLimits:nokind:Kind is required: one of FixedWindow, SlidingWindow, TokenBucket, Concurrency.",
                "Gateway:RateLimits:typo:Kind 'LeakyBucket' is unknown; use one of FixedWindow, SlidingWindow, TokenBucket, Concurrency.",
                "Gateway:RateLimits:fixed:PermitLimit 0 is invalid; it must be a whole number of at least 1.",
                "Gateway:RateLimits:fixed:Window is required for FixedWindow: a positive TimeSpan such as 00:00:01.",
                "Gateway:RateLimits:fixed:QueueLimit -1 is invalid; it must be 0 (the default: reject at once) or more.",
                "Gateway:RateLimits:sliding:Window 00:00:00 is invalid; it must be a positive TimeSpan such as 00:00:01.",
                "Gateway:RateLimits:sliding:TokenLimit does not apply to SlidingWindow; remove it.",
                "Gateway:RateLimits:Default: 'Default' is a name YARP reserves on routes (RateLimiterPolicy \"Default\" and \"Disable\"); choose another name.",
            ],
            result.Failures);
    }

    [Theory]
    [InlineData(0.001, 1)]
    [InlineData(1.0, 1)]
    [InlineData(1.2, 2)]
    [InlineData(30.0, 30)]
    public void ToRetryAfterSeconds_Fraction_RoundedUpNeverZero(double seconds, long expected)
        => Assert.Equal(expected, ClientIpRateLimiterPolicy.ToRetryAfterSeconds(TimeSpan.FromSeconds(seconds)));

    private static RateLimitOptions Options(params (string Name, RateLimitPolicySettings Settings)[] policies)
    {
        var options = new RateLimitOptions();
        foreach (var (name, settings) in policies)
        {
            options.Policies[name] = settings;
        }

        return options;
    }
}
