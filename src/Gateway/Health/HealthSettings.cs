using System.Globalization;
using System.Runtime.CompilerServices;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;

namespace Gateway.Health;

/// <summary>
/// The gateway's health settings of one cluster, read from its metadata. <see cref="Parse"/> is the single
/// reading of the keys: the validator reports what it finds wrong, and at run time a wrong value (which a
/// validated configuration never has) falls back to its default. Parsed once per cluster model.
/// </summary>
public sealed record HealthSettings(
    int Rise,
    int Fall,
    StatusCodeSet ExpectedStatus,
    TimeSpan SlowStart,
    int ConsecutiveFailures,
    int MaxEjectionPercent,
    TimeSpan BaseEjectionTime)
{
    public const string RiseKey = "RiseFall.Rise";
    public const string FallKey = "RiseFall.Fall";
    public const string ExpectedStatusKey = "RiseFall.ExpectedStatus";
    public const string SlowStartKey = "RiseFall.SlowStart";
    public const string ConsecutiveFailuresKey = "OutlierDetection.ConsecutiveFailures";
    public const string MaxEjectionPercentKey = "OutlierDetection.MaxEjectionPercent";

    public const int DefaultRise = 2;
    public const int DefaultFall = 3;
    public const int MaxRiseFall = 100;
    public const int DefaultConsecutiveFailures = 5;
    public const int MaxConsecutiveFailures = 1000;
    public const int DefaultMaxEjectionPercent = 50;

    /// <summary>A bare number parses as days (<c>"30"</c> is a month), so anything longer is refused as a likely mistake.</summary>
    public static readonly TimeSpan MaxSlowStart = TimeSpan.FromHours(1);

    public static readonly TimeSpan DefaultBaseEjectionTime = TimeSpan.FromSeconds(30);

    private static readonly ConditionalWeakTable<ClusterModel, HealthSettings> s_parsed = new();

    public static HealthSettings Of(ClusterModel model)
    {
        if (s_parsed.TryGetValue(model, out var settings))
        {
            return settings;
        }

        settings = Parse(model.Config, errors: null);
        s_parsed.AddOrUpdate(model, settings);
        return settings;
    }

    /// <summary>Reads the cluster's settings; every invalid value adds one operator-readable line to <paramref name="errors"/>.</summary>
    public static HealthSettings Parse(ClusterConfig cluster, List<string>? errors)
    {
        var metadata = cluster.Metadata;
        var reader = new Reader(cluster.ClusterId, metadata, errors);
        return new HealthSettings(
            reader.Integer(RiseKey, DefaultRise, 1, MaxRiseFall),
            reader.Integer(FallKey, DefaultFall, 1, MaxRiseFall),
            reader.StatusCodes(ExpectedStatusKey),
            reader.Duration(SlowStartKey, MaxSlowStart),
            reader.Integer(ConsecutiveFailuresKey, DefaultConsecutiveFailures, 1, MaxConsecutiveFailures),
            reader.Integer(MaxEjectionPercentKey, DefaultMaxEjectionPercent, 0, 100),
            cluster.HealthCheck?.Passive?.ReactivationPeriod is { } period && period > TimeSpan.Zero ? period : DefaultBaseEjectionTime);
    }

    private readonly struct Reader(string clusterId, IReadOnlyDictionary<string, string>? metadata, List<string>? errors)
    {
        public int Integer(string key, int defaultValue, int min, int max)
        {
            if (!TryGet(key, out var text))
            {
                return defaultValue;
            }

            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
            {
                return value;
            }

            errors?.Add($"Cluster '{clusterId}': {key} '{text}' is invalid; it must be a whole number from {min} to {max} (default {defaultValue}).");
            return defaultValue;
        }

        public StatusCodeSet StatusCodes(string key)
        {
            if (!TryGet(key, out var text))
            {
                return StatusCodeSet.Default;
            }

            if (StatusCodeSet.TryParse(text, out var set))
            {
                return set;
            }

            errors?.Add($"Cluster '{clusterId}': {key} '{text}' is invalid; it must be a comma-separated list of status codes ({StatusCodeSet.Min} to {StatusCodeSet.Max}) and ranges, for example 200-399 or 200,204 (default {StatusCodeSet.Default}).");
            return StatusCodeSet.Default;
        }

        public TimeSpan Duration(string key, TimeSpan max)
        {
            if (!TryGet(key, out var text))
            {
                return TimeSpan.Zero;
            }

            if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) && value >= TimeSpan.Zero && value <= max)
            {
                return value;
            }

            errors?.Add($"Cluster '{clusterId}': {key} '{text}' is invalid; it must be a time span from 00:00:00 (off, the default) to {max:c}, for example 00:00:30.");
            return TimeSpan.Zero;
        }

        private bool TryGet(string key, out string text)
        {
            text = string.Empty;
            return metadata is not null && metadata.TryGetValue(key, out text!) && text is not null;
        }
    }
}
