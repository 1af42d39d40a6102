using Gateway.Health;

namespace Gateway.Tests.Health;

public sealed class EjectionBackoffTests
{
    private static readonly TimeSpan s_base = TimeSpan.FromSeconds(30);

    [Fact]
    public void Next_FirstEjection_BaseTime()
    {
        var level = 0;

        Assert.Equal(s_base, EjectionBackoff.Next(ref level, null, s_base));
        Assert.Equal(1, level);
    }

    [Fact]
    public void Next_RepeatedRightAfterReturn_DoublesThenCapsAtTenTimes()
    {
        var level = 0;
        var periods = Enumerable.Range(0, 7).Select(_ => EjectionBackoff.Next(ref level, TimeSpan.FromSeconds(1), s_base).TotalSeconds).ToArray();

        Assert.Equal([30, 60, 120, 240, 300, 300, 300], periods);
    }

    [Fact]
    public void Next_OneBasePeriodInService_ForgivesOneLevel()
    {
        var level = 3;

        Assert.Equal(TimeSpan.FromSeconds(120), EjectionBackoff.Next(ref level, TimeSpan.FromSeconds(45), s_base));
    }

    [Fact]
    public void Next_LongInService_BackToBase()
    {
        var level = 5;

        Assert.Equal(s_base, EjectionBackoff.Next(ref level, TimeSpan.FromHours(1), s_base));
    }
}
