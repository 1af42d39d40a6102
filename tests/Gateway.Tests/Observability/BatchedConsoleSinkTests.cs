using System.Text;
using Gateway.Observability;
using Microsoft.Extensions.Configuration;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Display;
using Serilog.Parsing;

namespace Gateway.Tests.Observability;

public sealed class BatchedConsoleSinkTests
{
    private static readonly MessageTemplateTextFormatter LineFormatter = new("{Message}{NewLine}");

    [Fact]
    public void Dispose_AfterManyEvents_EveryEventWrittenInOrder()
    {
        var output = new RecordingStream();
        var sink = new BatchedConsoleSink(LineFormatter, bufferSize: 10_000, output);
        for (var i = 0; i < 500; i++)
        {
            sink.Emit(Event($"event {i}"));
        }

        sink.Dispose();

        Assert.Equal(Enumerable.Range(0, 500).Select(i => $"event {i}"), output.Lines());
    }

    [Fact]
    public void Emit_ABurstOfEvents_WrittenInFewWrites()
    {
        var output = new RecordingStream();
        var sink = new BatchedConsoleSink(LineFormatter, bufferSize: 10_000, output);
        for (var i = 0; i < 2_000; i++)
        {
            sink.Emit(Event($"event {i}"));
        }

        sink.Dispose();

        Assert.Equal(2_000, output.Lines().Count);
        // One write per event is what this sink exists to avoid; a burst takes a handful of batches.
        Assert.InRange(output.Writes, 1, 100);
    }

    [Fact]
    public void Emit_MoreTextThanOneBatchHolds_WrittenInBoundedPieces()
    {
        var output = new RecordingStream();
        var sink = new BatchedConsoleSink(LineFormatter, bufferSize: 100_000, output);
        var padding = new string('x', 200);
        for (var i = 0; i < 5_000; i++)
        {
            sink.Emit(Event($"event {i} {padding}"));
        }

        sink.Dispose();

        Assert.Equal(5_000, output.Lines().Count);
        Assert.InRange(output.LargestWrite, 1, (64 * 1024) + 512);
        // About 1.1 MB in batches of up to 64 KiB, one write each; Console.Out would have made it 4,000 writes.
        Assert.InRange(output.Writes, 17, 500);
    }

    [Fact]
    public async Task Emit_AfterAQuietSpell_WrittenWithoutWaitingForMore()
    {
        var output = new RecordingStream();
        using var sink = new BatchedConsoleSink(LineFormatter, bufferSize: 10_000, output);
        await Task.Delay(50);

        sink.Emit(Event("alone"));

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!output.Lines().Contains("alone") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5);
        }

        Assert.Contains("alone", output.Lines());
    }

    [Fact]
    public void Emit_BeyondBufferSize_DropsAndReportsHowMany()
    {
        var output = new RecordingStream { BlockWrites = true };
        var sink = new BatchedConsoleSink(LineFormatter, bufferSize: 10, output);
        sink.Emit(Event("first"));
        Assert.True(output.WriteEntered.Wait(TimeSpan.FromSeconds(10)), "the writer never wrote the first event");

        for (var i = 0; i < 50; i++)
        {
            sink.Emit(Event($"event {i}"));
        }

        output.ReleaseWrites();
        sink.Dispose();

        var lines = output.Lines();
        Assert.Equal(["first", .. Enumerable.Range(0, 10).Select(i => $"event {i}"), "40 log events were dropped: standard output could not keep up"], lines);
    }

    [Fact]
    public void Dispose_Twice_AndEmitAfterwards_DoNotThrow()
    {
        var sink = new BatchedConsoleSink(LineFormatter, bufferSize: 10, new RecordingStream());
        sink.Dispose();
        sink.Dispose();
        sink.Emit(Event("late"));
    }

    [Fact]
    public void Output_Closed_EventsAreDroppedWithoutThrowing()
    {
        var output = new RecordingStream { FailWrites = true };
        var sink = new BatchedConsoleSink(LineFormatter, bufferSize: 10, output);
        sink.Emit(Event("lost"));
        sink.Dispose();
    }

    [Fact]
    public void Configuration_GatewayConsoleWithAFormatter_Binds()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Serilog:Using:0"] = "Gateway",
            ["Serilog:WriteTo:Console:Name"] = "GatewayConsole",
            ["Serilog:WriteTo:Console:Args:bufferSize"] = "100",
            ["Serilog:WriteTo:Console:Args:formatter"] = "Serilog.Formatting.Compact.CompactJsonFormatter, Serilog.Formatting.Compact",
        }).Build();

        using var logger = new LoggerConfiguration().ReadFrom.Configuration(configuration).CreateLogger();

        Assert.True(logger.IsEnabled(LogEventLevel.Information));
    }

    [Fact]
    public void Configuration_BufferSizeZero_RefusedWithTheKeyName()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new LoggerConfiguration().WriteTo.GatewayConsole(bufferSize: 0));
        Assert.Contains("GatewayConsole bufferSize", error.Message, StringComparison.Ordinal);
    }

    private static LogEvent Event(string text)
        => new(DateTimeOffset.Now, LogEventLevel.Information, null, new MessageTemplateParser().Parse(text.Replace("{", "{{", StringComparison.Ordinal)), []);

    /// <summary>Standard output as the sink sees it: each <c>Write</c> here is one <c>write</c> system call there.</summary>
    private sealed class RecordingStream : Stream
    {
        private readonly MemoryStream _bytes = new();
        private readonly ManualResetEventSlim _writeGate = new(false);

        public bool BlockWrites { get; init; }

        public bool FailWrites { get; init; }

        public ManualResetEventSlim WriteEntered { get; } = new(false);

        public int Writes { get; private set; }

        public int LargestWrite { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            WriteEntered.Set();
            if (BlockWrites)
            {
                _writeGate.Wait(TimeSpan.FromSeconds(30));
            }

            lock (_bytes)
            {
                if (FailWrites)
                {
                    throw new IOException("closed");
                }

                _bytes.Write(buffer);
                Writes++;
                LargestWrite = Math.Max(LargestWrite, buffer.Length);
            }
        }

        public void ReleaseWrites() => _writeGate.Set();

        public List<string> Lines()
        {
            lock (_bytes)
            {
                return Encoding.UTF8.GetString(_bytes.ToArray()).Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries).ToList();
            }
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}

public sealed class ConsoleLogCheckValidatorTests
{
    [Fact]
    public void ShippedSettings_Valid()
    {
        Assert.True(Validate(new() { ["Serilog:Using:0"] = "Gateway", ["Serilog:WriteTo:Console:Name"] = "GatewayConsole" }).Succeeded);
    }

    [Fact]
    public void UsingReplaced_GatewayConsoleNamed_RefusedWithThePathAndTheList()
    {
        var result = Validate(new() { ["Serilog:Using:0"] = "Serilog.Sinks.File", ["Serilog:WriteTo:Console:Name"] = "GatewayConsole" });

        Assert.True(result.Failed);
        Assert.Contains("Serilog:WriteTo:Console: GatewayConsole is found only with \"Gateway\" in Serilog:Using (it lists: Serilog.Sinks.File)", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void NoUsing_GatewayConsoleInTheShortForm_Refused()
    {
        Assert.True(Validate(new() { ["Serilog:WriteTo:0"] = "GatewayConsole" }).Failed);
    }

    [Fact]
    public void UsingReplaced_OtherSinksOnly_Valid()
    {
        Assert.True(Validate(new() { ["Serilog:Using:0"] = "Serilog.Sinks.Console", ["Serilog:WriteTo:Console:Name"] = "Console" }).Succeeded);
    }

    private static Microsoft.Extensions.Options.ValidateOptionsResult Validate(Dictionary<string, string?> settings)
        => new ConsoleLogCheckValidator(new ConfigurationBuilder().AddInMemoryCollection(settings).Build()).Validate(null, new ConsoleLogCheck());
}
