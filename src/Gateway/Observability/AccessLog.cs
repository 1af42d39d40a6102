using System.Diagnostics;
using System.Net;
using Serilog.Core;
using Serilog.Events;
using Serilog.Parsing;

namespace Gateway.Observability;

/// <summary>
/// Writes the access log: one Serilog event per proxied request with the contract's properties. The event is
/// built directly (template parsed once, no argument array, no capturing) and handed to Serilog, whose sinks
/// (asynchronous in the shipped configuration) format and write it off the request path. Its source context
/// is <see cref="SourceContext"/>, so <c>Serilog:MinimumLevel:Override</c> can silence it.
/// </summary>
public sealed class AccessLog
{
    public const string SourceContext = "Gateway.AccessLog";

    private static readonly MessageTemplate Template = new MessageTemplateParser().Parse(
        "{ClientIp} {Method} {Path} {StatusCode} {Outcome} {RouteId}/{ClusterId}/{DestinationId} in {ElapsedMs} ms (upstream {UpstreamMs} ms)");

    // The ten properties, the source context, and room for the request scope's (RequestId, ConnectionId...).
    private const int PropertyCapacity = 16;

    // Values most requests share are built once: the event is the gateway's largest allocation per request.
    private static readonly ScalarValue GetMethod = new(HttpMethods.Get);
    private static readonly ScalarValue OkOutcome = new(ProxyOutcome.Ok);
    private static readonly ScalarValue?[] StatusCodeValues = new ScalarValue?[500];

    private readonly Serilog.ILogger _logger;
    private readonly TimeProvider _timeProvider;

    public AccessLog(Serilog.ILogger logger, TimeProvider timeProvider)
    {
        _logger = logger.ForContext(Constants.SourceContextPropertyName, SourceContext);
        _timeProvider = timeProvider;
    }

    public bool IsEnabled => _logger.IsEnabled(LogEventLevel.Information);

    public void Write(
        IPAddress? clientIp,
        string method,
        string? path,
        int statusCode,
        string routeId,
        string clusterId,
        string? destinationId,
        TimeSpan elapsed,
        TimeSpan? upstream,
        string outcome)
    {
        // The IP address is rendered by the sink, not here: formatting it is work the request need not wait for.
        var properties = new Dictionary<string, LogEventPropertyValue>(PropertyCapacity)
        {
            ["ClientIp"] = clientIp is null ? ScalarValue.Null : new ScalarValue(clientIp),
            ["Method"] = string.Equals(method, HttpMethods.Get, StringComparison.Ordinal) ? GetMethod : new ScalarValue(method),
            ["Path"] = new ScalarValue(path),
            ["StatusCode"] = StatusCodeValue(statusCode),
            ["RouteId"] = new ScalarValue(routeId),
            ["ClusterId"] = new ScalarValue(clusterId),
            ["DestinationId"] = destinationId is null ? ScalarValue.Null : new ScalarValue(destinationId),
            ["ElapsedMs"] = new ScalarValue(Milliseconds(elapsed)),
            ["UpstreamMs"] = upstream is { } value ? new ScalarValue(Milliseconds(value)) : ScalarValue.Null,
            ["Outcome"] = string.Equals(outcome, ProxyOutcome.Ok, StringComparison.Ordinal) ? OkOutcome : new ScalarValue(outcome),
        };

        // Serilog's constructors copy the properties into a dictionary of their own, grown as it fills; this
        // one hands it over, sized once for the event's properties and those the enrichers add.
        var activity = Activity.Current;
        _logger.Write(LogEvent.UnstableAssembleFromParts(
            _timeProvider.GetLocalNow(),
            LogEventLevel.Information,
            exception: null,
            Template,
            properties,
            activity?.TraceId ?? default,
            activity?.SpanId ?? default));
    }

    private static double Milliseconds(TimeSpan duration) => Math.Round(duration.TotalMilliseconds, 3);

    // Two threads racing on a code's first use each build an equal value; either may stay.
    private static ScalarValue StatusCodeValue(int statusCode)
        => (uint)(statusCode - 100) < (uint)StatusCodeValues.Length
            ? StatusCodeValues[statusCode - 100] ??= new ScalarValue(statusCode)
            : new ScalarValue(statusCode);
}
