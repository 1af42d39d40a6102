namespace Gateway.Observability;

/// <summary>
/// What the observability step learns about one proxied request while YARP handles it, kept as a request
/// feature. A gateway step that answers by itself (a queue that is full, say) sets <see cref="Outcome"/> so
/// the access log names the reason instead of the generic <see cref="ProxyOutcome.NotForwarded"/>.
/// </summary>
public sealed class ProxyRequestTelemetry
{
    /// <summary>An outcome name chosen by a gateway step; wins over the one derived from YARP's result.</summary>
    public string? Outcome { get; set; }

    /// <summary>When the last attempt was sent to its destination (a <see cref="TimeProvider"/> timestamp), or 0.</summary>
    internal long UpstreamSentAt { get; set; }

    /// <summary>When that attempt's response headers arrived, or 0 when none did.</summary>
    internal long UpstreamRespondedAt { get; set; }
}
