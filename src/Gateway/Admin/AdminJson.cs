using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gateway.Admin;

/// <summary><c>GET /api/state</c>: the contract's document. Fields may be added, none removed.</summary>
internal sealed record StateDocument(DateTime GeneratedAt, ConfigInfo Config, IReadOnlyList<ClusterInfo> Clusters);

internal sealed record ConfigInfo(string? Revision, DateTime? AppliedAt, string? LastError);

internal sealed record ClusterInfo(
    string Id,
    string LoadBalancingPolicy,
    bool ActiveHealthCheck,
    bool PassiveHealthCheck,
    IReadOnlyList<DestinationInfo> Destinations);

/// <param name="RequestRate">Requests per second over the last <see cref="DestinationCounters.WindowSeconds"/> seconds.</param>
/// <param name="LatencyMs">Mean time to complete a proxied request over the same window, null without traffic.</param>
/// <param name="History">The last health transitions, oldest first.</param>
internal sealed record DestinationInfo(
    string Id,
    string Address,
    int Weight,
    string Health,
    string AdminState,
    int ActiveRequests,
    int Queued,
    long TotalRequests,
    long FailedRequests,
    double? RequestRate,
    double? LatencyMs,
    CheckInfo? LastCheck,
    IReadOnlyList<TransitionInfo> History);

internal sealed record CheckInfo(DateTime At, bool Ok, int? Status, double DurationMs, string? Error);

internal sealed record TransitionInfo(DateTime At, string Direction, string Reason);

/// <summary><c>PUT .../state</c> body.</summary>
internal sealed record StateChangeRequest(string? State);

/// <summary><c>PUT .../state</c> answer: the destination after the change.</summary>
internal sealed record StateChangeResult(
    string ClusterId,
    string Id,
    string State,
    string PreviousState,
    string AdminState,
    string Health,
    string Address,
    int Weight,
    int ActiveRequests);

internal sealed record ErrorBody(int Status, string Error);

/// <summary>The <c>Gateway:StateFile</c> document: cluster id, then destination id, then admin state.</summary>
internal sealed record StateFileDocument(Dictionary<string, Dictionary<string, string>> Clusters);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(StateDocument))]
[JsonSerializable(typeof(StateChangeRequest))]
[JsonSerializable(typeof(StateChangeResult))]
[JsonSerializable(typeof(ErrorBody))]
[JsonSerializable(typeof(StateFileDocument))]
internal sealed partial class AdminJsonContext : JsonSerializerContext
{
    /// <summary>
    /// The context the admin listener writes with: the generated options, but without escaping quotes and non-ASCII text, since these documents are read by people and scripts,
    /// never embedded in HTML.
    /// </summary>
    public static AdminJsonContext Readable { get; } = new(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}

internal static class AdminStateNames
{
    public const string Ready = "ready";
    public const string Drain = "drain";
    public const string Maint = "maint";

    public static string Of(AdminState state) => state switch
    {
        AdminState.Drain => Drain,
        AdminState.Maint => Maint,
        _ => Ready,
    };

    public static bool TryParse(string? text, out AdminState state)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case Ready:
                state = AdminState.Ready;
                return true;
            case Drain:
                state = AdminState.Drain;
                return true;
            case Maint:
                state = AdminState.Maint;
                return true;
            default:
                state = AdminState.Ready;
                return false;
        }
    }
}
