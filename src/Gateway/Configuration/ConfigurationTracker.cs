using System.IO.Hashing;
using System.Text;
using System.Text.Json;
using Yarp.ReverseProxy.Configuration;

namespace Gateway.Configuration;

/// <summary>
/// Follows every configuration reload YARP attempts and logs it once: applied with its revision, or
/// rejected with every error. The revision is a hash of the routes and clusters, so replicas that
/// run the same configuration report the same revision, and a reload that changes nothing is silent.
/// </summary>
public sealed partial class ConfigurationTracker : IConfigChangeListener
{
    private readonly ILogger<ConfigurationTracker> _logger;
    private readonly TimeProvider _timeProvider;
    private readonly Lock _lock = new();
    private ConfigurationRevision? _current;
    private string? _lastError;

    public ConfigurationTracker(ILogger<ConfigurationTracker> logger, ConfigurationFileErrors fileErrors, TimeProvider? timeProvider = null)
    {
        _logger = logger;
        _timeProvider = timeProvider ?? TimeProvider.System;
        fileErrors.Subscribe(error => Rejected([error]));
    }

    /// <summary>The configuration that is serving, or null before the first one is applied.</summary>
    public ConfigurationRevision? Current => Volatile.Read(ref _current);

    /// <summary>The errors of the last rejected reload, one per line, or null when none was rejected.</summary>
    public string? LastError => Volatile.Read(ref _lastError);

    public event Action<ConfigurationRevision>? Applied;

    public event Action<IReadOnlyList<string>>? RejectedReload;

    public void ConfigurationLoadingFailed(IProxyConfigProvider configProvider, Exception exception)
        => Rejected(ConfigurationErrors.Describe(exception));

    public void ConfigurationLoaded(IReadOnlyList<IProxyConfig> proxyConfigs)
    {
    }

    public void ConfigurationApplyingFailed(IReadOnlyList<IProxyConfig> proxyConfigs, Exception exception)
        => Rejected(ConfigurationErrors.Describe(exception));

    public void ConfigurationApplied(IReadOnlyList<IProxyConfig> proxyConfigs)
    {
        var routes = proxyConfigs.SelectMany(c => c.Routes).OrderBy(r => r.RouteId, StringComparer.Ordinal).ToArray();
        var clusters = proxyConfigs.SelectMany(c => c.Clusters).OrderBy(c => c.ClusterId, StringComparer.Ordinal).ToArray();
        var id = Fingerprint(routes, clusters);

        ConfigurationRevision revision;
        lock (_lock)
        {
            if (_current?.Id == id)
            {
                return;
            }

            revision = new ConfigurationRevision(
                id,
                _timeProvider.GetUtcNow(),
                routes.Length,
                clusters.Length,
                clusters.Sum(c => c.Destinations?.Count ?? 0));
            Volatile.Write(ref _current, revision);
        }

        Log.Applied(_logger, revision.Id, revision.Routes, revision.Clusters, revision.Destinations);
        Applied?.Invoke(revision);
    }

    private void Rejected(IReadOnlyList<string> errors)
    {
        var text = string.Join(Environment.NewLine, errors);
        lock (_lock)
        {
            if (text == _lastError)
            {
                return;
            }

            Volatile.Write(ref _lastError, text);
        }

        Log.Rejected(_logger, errors.Count, _current?.Id ?? "none", text);
        RejectedReload?.Invoke(errors);
    }

    internal static string Fingerprint(IReadOnlyList<RouteConfig> routes, IReadOnlyList<ClusterConfig> clusters)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(new { routes, clusters });
        return XxHash64.HashToUInt64(json).ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1001, Level = LogLevel.Information,
            Message = "Configuration applied: revision {Revision} ({Routes} routes, {Clusters} clusters, {Destinations} destinations)")]
        public static partial void Applied(ILogger logger, string revision, int routes, int clusters, int destinations);

        [LoggerMessage(EventId = 1002, Level = LogLevel.Error,
            Message = "Configuration rejected with {ErrorCount} error(s); revision {Revision} keeps serving:\n{Errors}")]
        public static partial void Rejected(ILogger logger, int errorCount, string revision, string errors);
    }
}

public sealed record ConfigurationRevision(string Id, DateTimeOffset AppliedAt, int Routes, int Clusters, int Destinations);

internal static class ConfigurationErrors
{
    private const string CallbackWrapper = "An exception was thrown from the configuration callbacks";

    /// <summary>Turns YARP's nested exceptions into one operator-readable line per problem.</summary>
    public static IReadOnlyList<string> Describe(Exception exception)
    {
        var lines = new List<string>();
        Add(exception, lines);
        return lines;

        static void Add(Exception ex, List<string> lines)
        {
            switch (ex)
            {
                case AggregateException aggregate:
                    foreach (var inner in aggregate.InnerExceptions)
                    {
                        Add(inner, lines);
                    }

                    break;
                case { InnerException: { } inner } when ex.Message.StartsWith(CallbackWrapper, StringComparison.Ordinal)
                                                      || ex is InvalidOperationException && ex.Message.StartsWith("Unable to load or apply", StringComparison.Ordinal):
                    Add(inner, lines);
                    break;
                case { InnerException: { } inner }:
                    lines.Add($"{ex.Message} {inner.Message}");
                    break;
                default:
                    lines.Add(ex.Message);
                    break;
            }
        }
    }
}
