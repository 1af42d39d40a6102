using System.Globalization;
using System.Runtime.CompilerServices;
using Yarp.ReverseProxy.Model;

namespace Gateway.Reliability;

/// <summary>
/// HAProxy's <c>maxconn</c>, <c>maxqueue</c> and <c>timeout queue</c>: destination metadata
/// <c>MaxConnections</c> (default unlimited) and <c>MaxQueue</c> (default unlimited), cluster metadata
/// <c>QueueTimeout</c> (default 5 s). Parsed once per model, never per request.
/// </summary>
public sealed record DestinationLimits(int? MaxConnections, int? MaxQueue)
{
    public const string MaxConnectionsKey = "MaxConnections";
    public const string MaxQueueKey = "MaxQueue";
    public const string QueueTimeoutKey = "QueueTimeout";

    public static readonly TimeSpan DefaultQueueTimeout = TimeSpan.FromSeconds(5);

    public static readonly DestinationLimits Unlimited = new(null, null);

    private static readonly ConditionalWeakTable<DestinationModel, DestinationLimits> s_limits = new();
    private static readonly ConditionalWeakTable<ClusterModel, StrongBox<TimeSpan>> s_queueTimeouts = new();

    /// <summary>At least 1; absent means unlimited.</summary>
    public static bool TryParseMaxConnections(string? text, out int? value) => TryParseCount(text, minimum: 1, out value);

    /// <summary>At least 0 (0: no queue, a request that finds every connection busy gets 503 at once); absent means unlimited.</summary>
    public static bool TryParseMaxQueue(string? text, out int? value) => TryParseCount(text, minimum: 0, out value);

    /// <summary>A positive TimeSpan such as <c>00:00:05</c>; absent means the default.</summary>
    public static bool TryParseQueueTimeout(string? text, out TimeSpan value)
    {
        if (text is null)
        {
            value = DefaultQueueTimeout;
            return true;
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value) && value > TimeSpan.Zero;
    }

    public static DestinationLimits Of(DestinationModel destination)
    {
        if (s_limits.TryGetValue(destination, out var limits))
        {
            return limits;
        }

        var metadata = destination.Config.Metadata;
        string? maxConnectionsText = null;
        string? maxQueueText = null;
        metadata?.TryGetValue(MaxConnectionsKey, out maxConnectionsText);
        metadata?.TryGetValue(MaxQueueKey, out maxQueueText);
        TryParseMaxConnections(maxConnectionsText, out var maxConnections);
        TryParseMaxQueue(maxQueueText, out var maxQueue);
        limits = maxConnections is null ? Unlimited : new DestinationLimits(maxConnections, maxQueue);
        return s_limits.GetValue(destination, _ => limits);
    }

    public static TimeSpan QueueTimeoutOf(ClusterModel cluster)
    {
        if (s_queueTimeouts.TryGetValue(cluster, out var box))
        {
            return box.Value;
        }

        string? text = null;
        cluster.Config.Metadata?.TryGetValue(QueueTimeoutKey, out text);
        var timeout = TryParseQueueTimeout(text, out var parsed) ? parsed : DefaultQueueTimeout;
        return s_queueTimeouts.GetValue(cluster, _ => new StrongBox<TimeSpan>(timeout)).Value;
    }

    private static bool TryParseCount(string? text, int minimum, out int? value)
    {
        value = null;
        if (text is null)
        {
            return true;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed >= minimum)
        {
            value = parsed;
            return true;
        }

        return false;
    }
}
