using Microsoft.Extensions.Options;

namespace Gateway.RateLimiting;

/// <summary>Checks every <c>Gateway:RateLimits</c> policy at start-up and in <c>--check</c>, naming the policy and the key.</summary>
internal sealed class RateLimitOptionsValidator : IValidateOptions<RateLimitOptions>
{
    public ValidateOptionsResult Validate(string? name, RateLimitOptions options)
    {
        var errors = new List<string>(options.BindingErrors);
        foreach (var (policy, settings) in options.Policies)
        {
            Validate(policy, settings, errors);
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Validate(string policy, RateLimitPolicySettings settings, List<string> errors)
    {
        var where = $"{RateLimitOptions.SectionName}:{policy}";
        if (string.Equals(policy, "Default", StringComparison.OrdinalIgnoreCase) || string.Equals(policy, "Disable", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add($"{where}: '{policy}' is a name YARP reserves on routes (RateLimiterPolicy \"Default\" and \"Disable\"); choose another name.");
        }

        var kind = RateLimitKinds.All.FirstOrDefault(k => string.Equals(k, settings.Kind, StringComparison.OrdinalIgnoreCase));
        if (kind is null)
        {
            errors.Add(settings.Kind is null
                ? $"{where}:Kind is required: one of {string.Join(", ", RateLimitKinds.All)}."
                : $"{where}:Kind '{settings.Kind}' is unknown; use one of {string.Join(", ", RateLimitKinds.All)}.");
            return;
        }

        var windowed = kind is RateLimitKinds.FixedWindow or RateLimitKinds.SlidingWindow;
        Require(errors, where, kind, nameof(settings.PermitLimit), settings.PermitLimit, kind is not RateLimitKinds.TokenBucket);
        Require(errors, where, kind, nameof(settings.Window), settings.Window, windowed);
        Require(errors, where, kind, nameof(settings.SegmentsPerWindow), settings.SegmentsPerWindow, kind is RateLimitKinds.SlidingWindow);
        Require(errors, where, kind, nameof(settings.TokenLimit), settings.TokenLimit, kind is RateLimitKinds.TokenBucket);
        Require(errors, where, kind, nameof(settings.TokensPerPeriod), settings.TokensPerPeriod, kind is RateLimitKinds.TokenBucket);
        Require(errors, where, kind, nameof(settings.ReplenishmentPeriod), settings.ReplenishmentPeriod, kind is RateLimitKinds.TokenBucket);

        if (settings.QueueLimit < 0)
        {
            errors.Add($"{where}:QueueLimit {settings.QueueLimit} is invalid; it must be 0 (the default: reject at once) or more.");
        }
    }

    private static void Require(List<string> errors, string where, string kind, string key, int? value, bool applies)
    {
        if (!applies)
        {
            if (value is not null)
            {
                errors.Add($"{where}:{key} does not apply to {kind}; remove it.");
            }
        }
        else if (value is null)
        {
            errors.Add($"{where}:{key} is required for {kind}: a whole number of at least 1.");
        }
        else if (value < 1)
        {
            errors.Add($"{where}:{key} {value} is invalid; it must be a whole number of at least 1.");
        }
    }

    private static void Require(List<string> errors, string where, string kind, string key, TimeSpan? value, bool applies)
    {
        if (!applies)
        {
            if (value is not null)
            {
                errors.Add($"{where}:{key} does not apply to {kind}; remove it.");
            }
        }
        else if (value is null)
        {
            errors.Add($"{where}:{key} is required for {kind}: a positive TimeSpan such as 00:00:01.");
        }
        else if (value <= TimeSpan.Zero)
        {
            errors.Add($"{where}:{key} {value} is invalid; it must be a positive TimeSpan such as 00:00:01.");
        }
    }
}
