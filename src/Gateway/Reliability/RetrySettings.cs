using System.Globalization;
using System.Runtime.CompilerServices;
using Yarp.ReverseProxy.Model;

namespace Gateway.Reliability;

/// <summary>
/// Cluster metadata <c>Retry.Count</c> (default 2, 0 turns retries off) and <c>Retry.NonIdempotent</c>
/// (default false). Parsed once per cluster model (YARP swaps the model when the cluster's configuration
/// changes), never per request.
/// </summary>
public sealed record RetrySettings(int Count, bool NonIdempotent)
{
    public const string CountKey = "Retry.Count";
    public const string NonIdempotentKey = "Retry.NonIdempotent";
    public const int DefaultCount = 2;
    public const int MaxCount = 100;

    public static readonly RetrySettings Default = new(DefaultCount, NonIdempotent: false);

    private static readonly ConditionalWeakTable<ClusterModel, RetrySettings> s_parsed = new();

    public static bool TryParseCount(string? text, out int count)
    {
        if (text is null)
        {
            count = DefaultCount;
            return true;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out count) && count <= MaxCount;
    }

    public static bool TryParseNonIdempotent(string? text, out bool value)
    {
        if (text is null)
        {
            value = false;
            return true;
        }

        return bool.TryParse(text, out value);
    }

    /// <summary>The cluster's settings. Configuration with invalid values never gets applied, so no error is possible here.</summary>
    public static RetrySettings Of(ClusterModel cluster)
    {
        if (s_parsed.TryGetValue(cluster, out var settings))
        {
            return settings;
        }

        var metadata = cluster.Config.Metadata;
        string? countText = null;
        string? nonIdempotentText = null;
        metadata?.TryGetValue(CountKey, out countText);
        metadata?.TryGetValue(NonIdempotentKey, out nonIdempotentText);
        settings = new RetrySettings(
            TryParseCount(countText, out var count) ? count : DefaultCount,
            TryParseNonIdempotent(nonIdempotentText, out var nonIdempotent) && nonIdempotent);
        return s_parsed.GetValue(cluster, _ => settings);
    }
}
