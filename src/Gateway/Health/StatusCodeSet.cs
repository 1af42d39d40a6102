using System.Globalization;

namespace Gateway.Health;

/// <summary>
/// HAProxy's <c>http-check expect status</c> as a list: comma-separated codes and inclusive ranges,
/// for example <c>200-399</c> or <c>200,204,300-302</c>. Immutable once parsed.
/// </summary>
public sealed class StatusCodeSet
{
    public const int Min = 100;
    public const int Max = 599;

    public static readonly StatusCodeSet Default = new([(200, 399)], "200-399");

    private readonly (int Low, int High)[] _ranges;
    private readonly string _text;

    private StatusCodeSet((int Low, int High)[] ranges, string text)
    {
        _ranges = ranges;
        _text = text;
    }

    public bool Contains(int status)
    {
        foreach (var (low, high) in _ranges)
        {
            if (status >= low && status <= high)
            {
                return true;
            }
        }

        return false;
    }

    public static bool TryParse(string? text, out StatusCodeSet set)
    {
        set = Default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var items = text.Split(',', StringSplitOptions.TrimEntries);
        var ranges = new (int Low, int High)[items.Length];
        for (var i = 0; i < items.Length; i++)
        {
            var item = items[i];
            var dash = item.IndexOf('-', StringComparison.Ordinal);
            var lowText = dash < 0 ? item : item[..dash].Trim();
            var highText = dash < 0 ? item : item[(dash + 1)..].Trim();
            if (!TryParseCode(lowText, out var low) || !TryParseCode(highText, out var high) || low > high)
            {
                return false;
            }

            ranges[i] = (low, high);
        }

        set = new StatusCodeSet(ranges, text.Trim());
        return true;
    }

    public override string ToString() => _text;

    private static bool TryParseCode(string text, out int code)
        => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out code) && code is >= Min and <= Max;
}
