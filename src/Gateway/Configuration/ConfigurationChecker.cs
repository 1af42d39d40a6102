using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;

namespace Gateway.Configuration;

/// <summary>
/// Validates the whole configuration the way a reload is validated: the gateway's options, then YARP's
/// config providers, filters and validators (which include the gateway's own cluster validators).
/// Serves <c>--check</c> and the start-up check, so both agree with what a reload accepts.
/// </summary>
public sealed partial class ConfigurationChecker(
    IServiceProvider services,
    IConfiguration configuration,
    IEnumerable<IProxyConfigProvider> providers,
    IEnumerable<IProxyConfigFilter> filters,
    IConfigValidator validator)
{
    public async Task<ConfigurationCheckResult> CheckAsync(CancellationToken cancellationToken = default)
    {
        var errors = new List<string>();
        try
        {
            // Every options class registered with ValidateOnStart (the gateway's own settings, the rate limits, ...).
            services.GetRequiredService<IStartupValidator>().Validate();
        }
        catch (OptionsValidationException ex)
        {
            errors.AddRange(ex.Failures);
        }
        catch (AggregateException ex)
        {
            errors.AddRange(ex.InnerExceptions.SelectMany(e => e is OptionsValidationException o ? o.Failures : [e.Message]));
        }
        catch (InvalidOperationException ex)
        {
            // The configuration binder's message names the key whose value it could not convert.
            errors.Add(ex.Message);
        }

        var routes = new List<RouteConfig>();
        var clusters = new List<ClusterConfig>();
        foreach (var provider in providers)
        {
            try
            {
                var config = provider.GetConfig();
                routes.AddRange(config.Routes);
                clusters.AddRange(config.Clusters);
            }
            catch (FormatException ex)
            {
                errors.Add(LocateUnparsableValue(ex));
            }
            catch (Exception ex)
            {
                errors.AddRange(ConfigurationErrors.Describe(ex));
            }
        }

        var clustersById = new Dictionary<string, ClusterConfig>(StringComparer.OrdinalIgnoreCase);
        foreach (var original in clusters)
        {
            if (!clustersById.TryAdd(original.ClusterId, original))
            {
                errors.Add($"Duplicate cluster '{original.ClusterId}'.");
                continue;
            }

            var cluster = original;
            try
            {
                foreach (var filter in filters)
                {
                    cluster = await filter.ConfigureClusterAsync(cluster, cancellationToken);
                }
            }
            catch (Exception ex)
            {
                errors.AddRange(ConfigurationErrors.Describe(ex));
                continue;
            }

            errors.AddRange((await validator.ValidateClusterAsync(cluster)).SelectMany(ConfigurationErrors.Describe));
        }

        var routeIds = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var original in routes)
        {
            if (!routeIds.Add(original.RouteId))
            {
                errors.Add($"Duplicate route '{original.RouteId}'.");
                continue;
            }

            var route = original;
            try
            {
                clustersById.TryGetValue(route.ClusterId ?? string.Empty, out var cluster);
                foreach (var filter in filters)
                {
                    route = await filter.ConfigureRouteAsync(route, cluster, cancellationToken);
                }
            }
            catch (Exception ex)
            {
                errors.AddRange(ConfigurationErrors.Describe(ex));
                continue;
            }

            errors.AddRange((await validator.ValidateRouteAsync(route)).SelectMany(ConfigurationErrors.Describe));
        }

        return new ConfigurationCheckResult(errors, routes.Count, clusters.Count, clusters.Sum(c => c.Destinations?.Count ?? 0));
    }

    /// <summary>
    /// YARP's configuration reader stops at the first value it cannot convert and names only the value, so
    /// find the keys that hold it: the operator needs to know where to look.
    /// </summary>
    private string LocateUnparsableValue(FormatException exception)
    {
        var match = UnparsableValuePattern().Match(exception.Message);
        if (!match.Success)
        {
            return exception.Message;
        }

        var value = match.Groups["value"].Value;
        var keys = configuration.GetSection(Proxy.ProxyExtensions.SectionName).AsEnumerable()
            .Where(pair => pair.Value == value)
            .Select(pair => pair.Key)
            .Order(StringComparer.Ordinal)
            .ToArray();
        return keys.Length == 0 ? exception.Message : $"{string.Join(", ", keys)}: {exception.Message}";
    }

    [System.Text.RegularExpressions.GeneratedRegex("'(?<value>[^']*)'")]
    private static partial System.Text.RegularExpressions.Regex UnparsableValuePattern();
}

public sealed record ConfigurationCheckResult(IReadOnlyList<string> Errors, int Routes, int Clusters, int Destinations)
{
    public bool IsValid => Errors.Count == 0;

    public string Summary => $"Configuration is valid: {Routes} routes, {Clusters} clusters, {Destinations} destinations";
}
