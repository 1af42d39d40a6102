namespace Gateway.Configuration;

/// <summary>The configuration cannot be used; the message is meant for the operator as it is.</summary>
public sealed class InvalidConfigurationException(string message, IReadOnlyList<string>? errors = null)
    : Exception(message)
{
    public IReadOnlyList<string> Errors { get; } = errors ?? [message];
}
