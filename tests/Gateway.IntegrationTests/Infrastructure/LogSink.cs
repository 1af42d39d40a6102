using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Gateway.IntegrationTests.Infrastructure;

/// <summary>
/// Keeps the log events of the classes a test registers it for (as their <see cref="ILogger{T}"/>, so it
/// works whichever logging back end the gateway uses), for tests that assert something was logged.
/// </summary>
public sealed class LogSink
{
    private readonly ConcurrentQueue<LogEvent> _events = new();

    public IReadOnlyList<LogEvent> Events => _events.ToArray();

    public ILogger<T> For<T>() => new Logger<T>(_events);

    /// <summary>Polls until an event matches, since connection middleware logs on its own schedule.</summary>
    public async Task<LogEvent> WaitForAsync(Func<LogEvent, bool> match, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (DateTime.UtcNow < deadline)
        {
            if (_events.FirstOrDefault(match) is { } found)
            {
                return found;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException("No matching log event. Logged:\n" + string.Join("\n", _events.Select(e => $"{e.Level}: {e.Message}")));
    }

    public sealed record LogEvent(LogLevel Level, EventId EventId, string Message);

    private sealed class Logger<T>(ConcurrentQueue<LogEvent> events) : ILogger<T>
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                events.Enqueue(new LogEvent(logLevel, eventId, formatter(state, exception)));
            }
        }
    }
}
