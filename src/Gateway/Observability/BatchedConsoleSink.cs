using System.Collections.Concurrent;
using System.Text;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Parsing;

namespace Gateway.Observability;

/// <summary>
/// Writes log events to standard output from one background thread, many events per write. Serilog's console
/// sink writes and flushes each event by itself (one system call per event), and <c>Serilog.Sinks.Async</c> wakes
/// its worker thread for each event: with one access-log event per request, that was a thread hand-off and a
/// <c>write</c> per proxied request, 14 us of CPU per request on the benchmark (bench/run.sh, README).
/// Here a request only enqueues its event; the writer is woken only when it is idle, writes what has
/// accumulated, then lets events accumulate for <see cref="BatchInterval"/> before writing again. Events beyond
/// <c>bufferSize</c> waiting are dropped rather than making requests wait, and how many is reported in the log.
/// The batch goes to the standard output stream itself, not through <see cref="Console.Out"/>, whose 256-character
/// buffer turns one batch into a <c>write</c> per 256 characters (1.6 system calls per access-log line).
/// </summary>
internal sealed class BatchedConsoleSink : ILogEventSink, IDisposable
{
    /// <summary>At most this long between an event and its line under load; the first event after a quiet spell is written at once.</summary>
    public static readonly TimeSpan BatchInterval = TimeSpan.FromMilliseconds(10);

    // Bounds the text held between writes (a full queue of long events would otherwise grow it to megabytes).
    private const int MaxBatchChars = 64 * 1024;

    // Room for a full batch and the event that filled it, so that a batch is one write to the stream.
    private const int WriteBufferChars = MaxBatchChars + (16 * 1024);

    private static readonly MessageTemplate DroppedTemplate =
        new MessageTemplateParser().Parse("{DroppedEvents} log events were dropped: standard output could not keep up");

    private readonly ITextFormatter _formatter;
    private readonly StreamWriter _output;
    private readonly int _bufferSize;
    private readonly ConcurrentQueue<LogEvent> _queue = new();
    private readonly SemaphoreSlim _wakeUp = new(0);
    private readonly StringWriter _batch = new(new StringBuilder(MaxBatchChars));
    private readonly Thread _writer;
    private int _queued;
    private int _writerIdle;
    private long _dropped;
    private volatile bool _stopping;

    public BatchedConsoleSink(ITextFormatter formatter, int bufferSize, Stream? output = null)
    {
        if (bufferSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(bufferSize), bufferSize, "Serilog: GatewayConsole bufferSize must be at least 1.");
        }

        _formatter = formatter;
        _bufferSize = bufferSize;
        _output = new StreamWriter(output ?? Console.OpenStandardOutput(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), WriteBufferChars);
        _writer = new Thread(WriteLoop) { IsBackground = true, Name = "Gateway console log writer" };
        _writer.Start();
    }

    public void Emit(LogEvent logEvent)
    {
        if (Interlocked.Increment(ref _queued) > _bufferSize)
        {
            Interlocked.Decrement(ref _queued);
            Interlocked.Increment(ref _dropped);
            return;
        }

        _queue.Enqueue(logEvent);
        // The enqueue is a full fence, so either the writer sees this event before it sleeps or this sees it idle.
        if (Volatile.Read(ref _writerIdle) == 1 && Interlocked.CompareExchange(ref _writerIdle, 0, 1) == 1)
        {
            _wakeUp.Release();
        }
    }

    public void Dispose()
    {
        if (_stopping)
        {
            return;
        }

        _stopping = true;
        _wakeUp.Release();
        _writer.Join();
    }

    private void WriteLoop()
    {
        while (!_stopping)
        {
            if (WriteQueued())
            {
                Thread.Sleep(BatchInterval);
                continue;
            }

            Interlocked.Exchange(ref _writerIdle, 1);
            if (_queue.IsEmpty && !_stopping)
            {
                _wakeUp.Wait();
            }

            Volatile.Write(ref _writerIdle, 0);
        }

        WriteQueued();
    }

    /// <summary>Writes every queued event and the count of dropped ones; false when there was nothing.</summary>
    private bool WriteQueued()
    {
        var wroteAny = false;
        while (_queue.TryDequeue(out var logEvent))
        {
            Interlocked.Decrement(ref _queued);
            Format(logEvent);
            wroteAny = true;
            if (_batch.GetStringBuilder().Length >= MaxBatchChars)
            {
                Flush();
            }
        }

        if (Interlocked.Exchange(ref _dropped, 0) is var dropped and > 0)
        {
            Format(new LogEvent(DateTimeOffset.Now, LogEventLevel.Warning, null, DroppedTemplate,
                [new LogEventProperty("DroppedEvents", new ScalarValue(dropped)), new LogEventProperty(Constants.SourceContextPropertyName, new ScalarValue(typeof(BatchedConsoleSink).FullName))]));
            wroteAny = true;
        }

        Flush();
        return wroteAny;
    }

    private void Flush()
    {
        var builder = _batch.GetStringBuilder();
        if (builder.Length == 0)
        {
            return;
        }

        try
        {
            _output.Write(builder);
            _output.Flush();
        }
        catch (IOException)
        {
            // Standard output closed (the reader went away): nothing can be logged about it either.
        }

        builder.Clear();
    }

    private void Format(LogEvent logEvent)
    {
        try
        {
            _formatter.Format(logEvent, _batch);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Serilog.Debugging.SelfLog.WriteLine("Gateway console sink could not format an event: {0}", ex);
        }
    }
}
