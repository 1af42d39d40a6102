using Gateway.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.Time.Testing;
using Yarp.ReverseProxy.Configuration;

namespace Gateway.Tests.Configuration;

public sealed class ConfigurationTrackerTests
{
    private readonly CapturingLogger<ConfigurationTracker> _logger = new();
    private readonly ConfigurationFileErrors _fileErrors = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.Zero));

    [Fact]
    public void ConfigurationApplied_SameConfigTwice_LoggedOnce()
    {
        var tracker = new ConfigurationTracker(_logger, _fileErrors, _time);

        tracker.ConfigurationApplied([Config("web")]);
        tracker.ConfigurationApplied([Config("web")]);

        var line = Assert.Single(_logger.Messages);
        Assert.Contains("Configuration applied: revision " + tracker.Current!.Id, line);
        Assert.Contains("1 routes, 1 clusters, 2 destinations", line);
        Assert.Equal(_time.GetUtcNow(), tracker.Current.AppliedAt);
    }

    [Fact]
    public void ConfigurationApplied_ChangedConfig_NewRevision()
    {
        var tracker = new ConfigurationTracker(_logger, _fileErrors, _time);
        tracker.ConfigurationApplied([Config("web")]);
        var first = tracker.Current!.Id;

        tracker.ConfigurationApplied([Config("shop")]);

        Assert.NotEqual(first, tracker.Current!.Id);
        Assert.Equal(2, _logger.Messages.Count);
    }

    [Fact]
    public void ConfigurationApplied_SameContentInAnotherProcess_SameRevision()
    {
        var one = new ConfigurationTracker(_logger, _fileErrors, _time);
        var two = new ConfigurationTracker(new CapturingLogger<ConfigurationTracker>(), new ConfigurationFileErrors(), _time);

        one.ConfigurationApplied([Config("web")]);
        two.ConfigurationApplied([Config("web")]);

        Assert.Equal(one.Current!.Id, two.Current!.Id);
    }

    [Fact]
    public void ConfigurationApplyingFailed_EveryErrorLoggedOnceAndRevisionKept()
    {
        var tracker = new ConfigurationTracker(_logger, _fileErrors, _time);
        tracker.ConfigurationApplied([Config("web")]);
        var error = new AggregateException("The proxy config is invalid.",
            new ArgumentException("Cluster 'web', destination 'a': Weight '-1' is invalid"),
            new ArgumentException("No matching ILoadBalancingPolicy found for the load balancing policy 'Nope' set on the cluster 'web'."));

        tracker.ConfigurationApplyingFailed([Config("web")], error);
        tracker.ConfigurationApplyingFailed([Config("web")], error);

        Assert.Equal(2, _logger.Messages.Count);
        var rejected = _logger.Messages[1];
        Assert.Contains("rejected with 2 error(s)", rejected);
        Assert.Contains("Weight '-1'", rejected);
        Assert.Contains("'Nope'", rejected);
        Assert.Contains(tracker.Current!.Id, rejected);
        Assert.Contains("Weight '-1'", tracker.LastError);
    }

    [Fact]
    public void FileError_Reported_LoggedAsRejected()
    {
        var tracker = new ConfigurationTracker(_logger, _fileErrors, _time);

        _fileErrors.Report("/etc/gateway/gateway.json: invalid JSON: unexpected end");

        Assert.Contains("/etc/gateway/gateway.json: invalid JSON", Assert.Single(_logger.Messages));
        Assert.Equal("/etc/gateway/gateway.json: invalid JSON: unexpected end", tracker.LastError);
    }

    private static IProxyConfig Config(string clusterId) => new StaticConfig(
        [new RouteConfig { RouteId = "all", ClusterId = clusterId, Match = new RouteMatch { Path = "/{**catch-all}" } }],
        [new ClusterConfig
        {
            ClusterId = clusterId,
            Destinations = new Dictionary<string, DestinationConfig>
            {
                ["a"] = new() { Address = "http://127.0.0.1:1/" },
                ["b"] = new() { Address = "http://127.0.0.1:2/" },
            },
        }]);

    private sealed class StaticConfig(IReadOnlyList<RouteConfig> routes, IReadOnlyList<ClusterConfig> clusters) : IProxyConfig
    {
        public IReadOnlyList<RouteConfig> Routes { get; } = routes;

        public IReadOnlyList<ClusterConfig> Clusters { get; } = clusters;

        public IChangeToken ChangeToken { get; } = new CancellationChangeToken(CancellationToken.None);
    }
}

internal sealed class CapturingLogger<T> : ILogger<T>
{
    public List<string> Messages { get; } = [];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (Messages)
        {
            Messages.Add(formatter(state, exception));
        }
    }
}
