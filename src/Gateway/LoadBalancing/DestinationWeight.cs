using System.Globalization;
using System.Runtime.CompilerServices;
using Yarp.ReverseProxy.Model;

namespace Gateway.LoadBalancing;

/// <summary>
/// Destination metadata <c>Weight</c>: an integer from 0 to 256, default 1, where 0 takes no new traffic.
/// Parsed once per destination model (YARP swaps the model when the destination's configuration
/// changes), never per request.
/// </summary>
public static class DestinationWeight
{
    public const string MetadataKey = "Weight";
    public const int Default = 1;
    public const int Max = 256;

    private static readonly ConditionalWeakTable<DestinationModel, StrongBox<int>> s_parsed = new();

    public static bool TryParse(string? text, out int weight)
    {
        if (text is null)
        {
            weight = Default;
            return true;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out weight) && weight <= Max;
    }

    /// <summary>The configured weight. Configuration with an invalid weight never gets applied, so no error is possible here.</summary>
    public static int Of(DestinationModel model)
    {
        if (s_parsed.TryGetValue(model, out var box))
        {
            return box.Value;
        }

        string? text = null;
        model.Config.Metadata?.TryGetValue(MetadataKey, out text);
        var weight = TryParse(text, out var parsed) ? parsed : Default;
        s_parsed.AddOrUpdate(model, new StrongBox<int>(weight));
        return weight;
    }

    public static int Of(DestinationState destination) => Of(destination.Model);
}
