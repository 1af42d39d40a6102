using Serilog;
using Serilog.Configuration;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Display;

namespace Gateway.Observability;

/// <summary>
/// <c>WriteTo: GatewayConsole</c> in the <c>Serilog</c> configuration section (with <c>"Using": ["Gateway"]</c>):
/// standard output, written in batches off the request path (see <see cref="BatchedConsoleSink"/>).
/// </summary>
public static class GatewayConsoleSinkExtensions
{
    /// <summary>The line Serilog's console sink writes by default, property values as plain text.</summary>
    public const string DefaultOutputTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:l}{NewLine}{Exception}";

    /// <summary>How many events may wait to be written before new ones are dropped (as <c>Serilog.Sinks.Async</c>'s <c>bufferSize</c>).</summary>
    public const int DefaultBufferSize = 10_000;

    /// <param name="sinkConfiguration">Serilog's <c>WriteTo</c>.</param>
    /// <param name="formatter">Formats each event, for example <c>CompactJsonFormatter</c>; when null, <paramref name="outputTemplate"/> is used.</param>
    /// <param name="outputTemplate">A Serilog output template for plain-text lines.</param>
    /// <param name="bufferSize">Events waiting to be written beyond which new ones are dropped and counted.</param>
    /// <param name="restrictedToMinimumLevel">The lowest level written.</param>
    /// <param name="formatProvider">Culture for the output template.</param>
    public static LoggerConfiguration GatewayConsole(
        this LoggerSinkConfiguration sinkConfiguration,
        ITextFormatter? formatter = null,
        string outputTemplate = DefaultOutputTemplate,
        int bufferSize = DefaultBufferSize,
        LogEventLevel restrictedToMinimumLevel = LevelAlias.Minimum,
        IFormatProvider? formatProvider = null)
    {
        ArgumentNullException.ThrowIfNull(sinkConfiguration);
        return sinkConfiguration.Sink(
            new BatchedConsoleSink(formatter ?? new MessageTemplateTextFormatter(outputTemplate, formatProvider), bufferSize),
            restrictedToMinimumLevel);
    }
}
