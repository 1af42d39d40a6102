using Microsoft.Extensions.Configuration.Json;

namespace Gateway.Configuration;

/// <summary>
/// A JSON file source whose reloads never wipe the configuration. The stock provider replaces its
/// data with an empty set when a reloaded file does not parse, which would unload every route on a
/// half-saved edit; this one keeps the last good data and reports the error instead.
/// </summary>
public sealed class GuardedJsonConfigurationSource : JsonConfigurationSource
{
    public GuardedJsonConfigurationSource(ConfigurationFileErrors errors)
    {
        Errors = errors;
    }

    public ConfigurationFileErrors Errors { get; }

    public override IConfigurationProvider Build(IConfigurationBuilder builder)
    {
        EnsureDefaults(builder);
        return new GuardedJsonConfigurationProvider(this);
    }
}

internal sealed class GuardedJsonConfigurationProvider(GuardedJsonConfigurationSource source) : JsonConfigurationProvider(source)
{
    private bool _loaded;

    public override void Load(Stream stream)
    {
        var previous = Data;
        try
        {
            base.Load(stream);
            _loaded = true;
        }
        catch (FormatException ex) when (_loaded)
        {
            Data = previous;
            var path = Source.FileProvider?.GetFileInfo(Source.Path ?? string.Empty).PhysicalPath ?? Source.Path;
            var reason = ex.InnerException?.Message ?? ex.Message;
            source.Errors.Report($"{path}: invalid JSON: {reason}");
        }
    }
}

/// <summary>
/// Carries reload errors from configuration providers, which exist before dependency injection, to
/// the component that logs them.
/// </summary>
public sealed class ConfigurationFileErrors
{
    private Action<string>? _listener;
    private string? _pending;

    public void Report(string error)
    {
        var listener = Volatile.Read(ref _listener);
        if (listener is null)
        {
            _pending = error;
            return;
        }

        listener(error);
    }

    public void Subscribe(Action<string> listener)
    {
        Volatile.Write(ref _listener, listener);
        if (Interlocked.Exchange(ref _pending, null) is { } pending)
        {
            listener(pending);
        }
    }
}
