using Gateway.Admin;
using Gateway.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Gateway.Tests.Admin;

public sealed class AdminStateFileTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"gateway-statefile-{Guid.NewGuid():N}");

    private string StatePath => Path.Combine(_directory, "nested", "state.json");

    [Fact]
    public async Task Save_ThenStartWithSameFile_RestoresStates()
    {
        var states = new DestinationAdminStates();
        var file = Create(states, StatePath);
        await file.StartingAsync(default);
        states.Set("web", "a", AdminState.Drain);
        states.Set("web", "b", AdminState.Maint);
        states.Set("api", "x", AdminState.Drain);
        states.Set("api", "x", AdminState.Ready);
        file.Save();

        var restored = new DestinationAdminStates();
        await Create(restored, StatePath).StartingAsync(default);

        Assert.Equal(AdminState.Drain, restored.Get("web", "a"));
        Assert.Equal(AdminState.Maint, restored.Get("web", "b"));
        Assert.Equal(AdminState.Ready, restored.Get("api", "x"));
        Assert.Equal(2, restored.Snapshot().Count);
    }

    [Fact]
    public void Save_Repeatedly_LeavesOnlyTheStateFile()
    {
        var states = new DestinationAdminStates();
        var file = Create(states, StatePath);
        for (var i = 0; i < 5; i++)
        {
            states.Set("web", $"d{i}", AdminState.Drain);
            file.Save();
        }

        Assert.Equal([StatePath], Directory.GetFiles(Path.GetDirectoryName(StatePath)!));
        Assert.Equal(
            """{"clusters":{"web":{"d0":"drain","d1":"drain","d2":"drain","d3":"drain","d4":"drain"}}}""",
            File.ReadAllText(StatePath));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("""{"clusters":{"web":{"a":"sideways","b":"maint"}}}""")]
    public async Task StartingAsync_BadContent_KeepsWhatItCanAndStarts(string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(StatePath)!);
        File.WriteAllText(StatePath, content);
        var states = new DestinationAdminStates();

        await Create(states, StatePath).StartingAsync(default);

        Assert.Equal(AdminState.Ready, states.Get("web", "a"));
        Assert.Equal(content.Contains("maint", StringComparison.Ordinal) ? AdminState.Maint : AdminState.Ready, states.Get("web", "b"));
    }

    [Fact]
    public void Save_NoStateFileConfigured_WritesNothing()
    {
        var states = new DestinationAdminStates();
        var file = Create(states, null);
        states.Set("web", "a", AdminState.Drain);

        file.Save();

        Assert.Null(file.Path);
        Assert.False(Directory.Exists(_directory));
    }

    private static AdminStateFile Create(DestinationAdminStates states, string? path)
        => new(states, Options.Create(new GatewayOptions { StateFile = path }), NullLogger<AdminStateFile>.Instance);

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
