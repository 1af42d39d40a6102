using Gateway.Health;

namespace Gateway.Tests.Health;

public sealed class RiseFallStateTests
{
    [Fact]
    public void Record_FallMinusOneFailures_StaysUp()
    {
        var state = new RiseFallState();

        Assert.Equal(RiseFallChange.None, state.Record(false, "status 503", rise: 2, fall: 3, out _));
        Assert.Equal(RiseFallChange.None, state.Record(false, "status 503", rise: 2, fall: 3, out var streak));

        Assert.False(state.IsDown);
        Assert.Equal(2, streak);
    }

    [Fact]
    public void Record_FallFailures_GoesDownWithCountAndReason()
    {
        var state = new RiseFallState();
        state.Record(false, "connection refused", 2, 3, out _);
        state.Record(false, "connection refused", 2, 3, out _);

        Assert.Equal(RiseFallChange.WentDown, state.Record(false, "timeout after 1000 ms", 2, 3, out var streak));
        Assert.True(state.IsDown);
        Assert.Equal(3, streak);
        Assert.Equal("timeout after 1000 ms", state.LastFailure);
    }

    [Fact]
    public void Record_GoodProbeBetweenFailures_RestartsFallCount()
    {
        var state = new RiseFallState();
        var changes = new[] { false, false, true, false, false, true, false, false }
            .Select(ok => state.Record(ok, ok ? null : "status 500", 2, 3, out _));

        Assert.All(changes, change => Assert.Equal(RiseFallChange.None, change));
        Assert.False(state.IsDown);
    }

    [Fact]
    public void Record_DownThenRiseGoodProbes_ComesUpKeepingLastFailure()
    {
        var state = new RiseFallState(down: true);
        state.Record(false, "status 503", 2, 3, out _);

        Assert.Equal(RiseFallChange.None, state.Record(true, null, 2, 3, out _));
        Assert.Equal(RiseFallChange.CameUp, state.Record(true, null, 2, 3, out var streak));
        Assert.False(state.IsDown);
        Assert.Equal(2, streak);
        Assert.Equal("status 503", state.LastFailure);
    }

    [Fact]
    public void Record_FlappingWhileDown_NeverComesUp()
    {
        var state = new RiseFallState(down: true);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(RiseFallChange.None, state.Record(i % 2 == 0, "status 503", rise: 2, fall: 3, out _));
        }

        Assert.True(state.IsDown);
    }

    [Fact]
    public void Record_AfterComingUp_NeedsFullFallAgain()
    {
        var state = new RiseFallState(down: true);
        state.Record(true, null, 1, 2, out _);

        Assert.Equal(RiseFallChange.None, state.Record(false, "status 500", 1, 2, out _));
        Assert.Equal(RiseFallChange.WentDown, state.Record(false, "status 500", 1, 2, out _));
    }

    [Fact]
    public void ResetStreak_PartialFallCount_Forgotten()
    {
        var state = new RiseFallState();
        state.Record(false, "status 500", 2, 3, out _);
        state.Record(false, "status 500", 2, 3, out _);

        state.ResetStreak();

        Assert.Equal(RiseFallChange.None, state.Record(false, "status 500", 2, 3, out var streak));
        Assert.Equal(1, streak);
    }

    [Fact]
    public void Record_RiseAndFallOne_EveryProbeDecides()
    {
        var state = new RiseFallState();

        Assert.Equal(RiseFallChange.WentDown, state.Record(false, "status 500", 1, 1, out _));
        Assert.Equal(RiseFallChange.CameUp, state.Record(true, null, 1, 1, out _));
    }
}
