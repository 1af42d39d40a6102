using Microsoft.Extensions.Configuration.Json;
using Yarp.ReverseProxy.Configuration;

namespace Gateway.Configuration;

public static class ConfigurationExtensions
{
    /// <summary>
    /// Layers the operator's file (<c>--config</c> or <c>GATEWAY_CONFIG</c>) after <c>appsettings*.json</c> and
    /// before environment variables and the command line, guards every JSON file against bad reloads, and
    /// registers what tracks and validates configuration revisions.
    /// </summary>
    public static WebApplicationBuilder AddGatewayConfiguration(this WebApplicationBuilder builder, GatewayCommandLine commandLine)
    {
        var errors = new ConfigurationFileErrors();
        var sources = builder.Configuration.Sources;
        try
        {
            var insertAt = 0;
            for (var i = 0; i < sources.Count; i++)
            {
                if (sources[i] is JsonConfigurationSource json and not GuardedJsonConfigurationSource)
                {
                    sources[i] = Guard(json, errors);
                    insertAt = i + 1;
                }
            }

            if (commandLine.ConfigPath is { } path)
            {
                sources.Insert(insertAt, CreateFileSource(path, errors));
            }
        }
        catch (InvalidDataException ex)
        {
            var innermost = ex.GetBaseException();
            throw new InvalidConfigurationException(ReferenceEquals(innermost, ex) ? ex.Message : $"{ex.Message} {innermost.Message}");
        }

        if (commandLine.Check)
        {
            // --check prints its own report and nothing else, like haproxy -c.
            builder.Logging.ClearProviders();
        }

        builder.Services.AddSingleton(errors);
        builder.Services.AddSingleton<ConfigurationTracker>();
        builder.Services.AddSingleton<IConfigChangeListener>(sp => sp.GetRequiredService<ConfigurationTracker>());
        builder.Services.AddSingleton<ConfigurationChecker>();
        builder.Services.AddOptions<GatewayOptions>()
            .Bind(builder.Configuration.GetSection(GatewayOptions.SectionName))
            .ValidateOnStart();
        builder.Services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<GatewayOptions>, GatewayOptionsValidator>();
        return builder;
    }

    /// <summary>
    /// Adds one more hot-reloaded gateway configuration file, guarded like the others. Used by the host for
    /// <c>--config</c> and by tests that host the gateway in-process.
    /// </summary>
    public static IConfigurationBuilder AddGatewayConfigFile(this IConfigurationBuilder configuration, string path)
    {
        var errors = configuration.Sources.OfType<GuardedJsonConfigurationSource>().FirstOrDefault()?.Errors ?? new ConfigurationFileErrors();
        configuration.Add(CreateFileSource(path, errors));
        return configuration;
    }

    private static GuardedJsonConfigurationSource CreateFileSource(string path, ConfigurationFileErrors errors)
    {
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new InvalidConfigurationException($"Configuration file '{fullPath}' does not exist.");
        }

        try
        {
            using var probe = File.OpenRead(fullPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidConfigurationException($"Configuration file '{fullPath}' cannot be read: {ex.Message}");
        }

        var source = new GuardedJsonConfigurationSource(errors)
        {
            Path = fullPath,
            Optional = false,
            ReloadOnChange = true,
            ReloadDelay = 250,
        };
        source.ResolveFileProvider();
        return source;
    }

    private static GuardedJsonConfigurationSource Guard(JsonConfigurationSource json, ConfigurationFileErrors errors) => new(errors)
    {
        Path = json.Path ?? string.Empty,
        Optional = json.Optional,
        ReloadOnChange = json.ReloadOnChange,
        ReloadDelay = json.ReloadDelay,
        FileProvider = json.FileProvider,
        OnLoadException = json.OnLoadException,
    };
}
