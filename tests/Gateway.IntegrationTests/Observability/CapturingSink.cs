using System.Collections.Concurrent;
using Serilog.Core;
using Serilog.Events;

namespace Gateway.IntegrationTests.Observability;

/// <summary>Keeps every Serilog event the gateway writes; registered as an <see cref="ILogEventSink"/> service.</summary>
internal sealed class CapturingSink : ILogEventSink
{
    private readonly ConcurrentQueue<LogEvent> _events = new();

    public IReadOnlyCollection<LogEvent> Events => _events;

    public void Emit(LogEvent logEvent) => _events.Enqueue(logEvent);

    public async Task<LogEvent> WaitForAsync(Func<LogEvent, bool> match, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            if (_events.FirstOrDefault(match) is { } found)
            {
                return found;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail("No such log event. Seen:\n" + string.Join("\n", _events.Select(e => e.RenderMessage())));
            }

            await Task.Delay(50);
        }
    }
}

internal static class LogEventExtensions
{
    public static object? Scalar(this LogEvent logEvent, string property)
        => logEvent.Properties.TryGetValue(property, out var value) ? ((ScalarValue)value).Value : throw new KeyNotFoundException(property);

    public static string? Source(this LogEvent logEvent)
        => logEvent.Properties.TryGetValue(Constants.SourceContextPropertyName, out var value) ? (string?)((ScalarValue)value).Value : null;
}
