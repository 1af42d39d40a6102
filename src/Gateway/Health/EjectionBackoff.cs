namespace Gateway.Health;

/// <summary>
/// How long an outlier stays ejected, as Envoy computes it: the base time, doubled for each ejection that
/// follows soon after the last one, capped at <see cref="MaxMultiplier"/> times the base. Each base period
/// spent in service since the last return forgives one level, so a destination that stays good for a while
/// is back to the base time.
/// </summary>
public static class EjectionBackoff
{
    public const int MaxMultiplier = 10;

    // 2^4 = 16 is already past the cap; stopping the level there keeps it from growing without bound.
    private const int MaxLevel = 5;

    /// <param name="level">The level of the previous ejection (0 for none), replaced by this ejection's.</param>
    /// <param name="inServiceFor">Time since the destination last came back, or null if it was never ejected.</param>
    public static TimeSpan Next(ref int level, TimeSpan? inServiceFor, TimeSpan baseTime)
    {
        var forgiven = inServiceFor is { } served && baseTime > TimeSpan.Zero ? (int)Math.Min(MaxLevel, served / baseTime) : 0;
        level = Math.Min(MaxLevel, Math.Max(0, level - forgiven) + 1);
        return baseTime * Math.Min(1 << (level - 1), MaxMultiplier);
    }
}
