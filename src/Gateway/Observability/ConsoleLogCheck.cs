using Microsoft.Extensions.Options;

namespace Gateway.Observability;

/// <summary>
/// Nothing to bind: the options type under which <see cref="ConsoleLogCheckValidator"/> runs at start-up and
/// with <c>--check</c>, like every other setting.
/// </summary>
internal sealed class ConsoleLogCheck;

/// <summary>
/// Serilog's configuration reader finds sink methods only in assemblies named in <c>Serilog:Using</c> and in
/// those whose name contains "serilog". <c>GatewayConsole</c> lives in the gateway's own assembly, so a file that
/// replaces the shipped <c>Using</c> list (JSON arrays merge by index) would make Serilog skip the sink with
/// nothing but a self-log line, and the gateway would run with no console log at all. Refused instead, by name.
/// </summary>
internal sealed class ConsoleLogCheckValidator(IConfiguration configuration) : IValidateOptions<ConsoleLogCheck>
{
    private const string AssemblyName = "Gateway";

    public ValidateOptionsResult Validate(string? name, ConsoleLogCheck options)
    {
        var serilog = configuration.GetSection("Serilog");
        var usings = serilog.GetSection("Using").GetChildren().Select(child => child.Value).OfType<string>().ToList();
        if (usings.Contains(AssemblyName, StringComparer.OrdinalIgnoreCase))
        {
            return ValidateOptionsResult.Success;
        }

        var failures = serilog.GetSection("WriteTo").GetChildren()
            .Where(sink => string.Equals(sink["Name"] ?? sink.Value, nameof(GatewayConsoleSinkExtensions.GatewayConsole), StringComparison.OrdinalIgnoreCase))
            .Select(sink => $"{sink.Path}: GatewayConsole is found only with \"{AssemblyName}\" in Serilog:Using "
                + $"(it lists: {(usings.Count == 0 ? "nothing" : string.Join(", ", usings))}); add it, or Serilog would write no console log.")
            .ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
