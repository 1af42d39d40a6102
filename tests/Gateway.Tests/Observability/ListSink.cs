using Serilog.Core;
using Serilog.Events;

namespace Gateway.Tests.Observability;

/// <summary>Keeps every Serilog event written to it, in order, for a test to read.</summary>
internal sealed class ListSink : ILogEventSink
{
    public List<LogEvent> Events { get; } = [];

    public void Emit(LogEvent logEvent) => Events.Add(logEvent);

    /// <summary>The value of one of an event's scalar properties.</summary>
    public static object? Scalar(LogEvent logEvent, string name) => ((ScalarValue)logEvent.Properties[name]).Value;
}
