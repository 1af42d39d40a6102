using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Gateway.Configuration;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy;

namespace Gateway.Admin;

/// <summary>
/// <c>GET /api/state</c> and the runtime API <c>PUT /api/clusters/{clusterId}/destinations/{destinationId}/state</c>,
/// HAProxy's <c>set server BACKEND/SERVER state ready|drain|maint</c>.
/// </summary>
internal sealed partial class StateEndpoints(
    StateReport report,
    IProxyStateLookup proxyState,
    DestinationAdminStates adminStates,
    AdminStateFile stateFile,
    IOptionsMonitor<GatewayOptions> options,
    ILogger<StateEndpoints> logger) : IAdminEndpointSource
{
    public const string StatePattern = "/api/clusters/{clusterId}/destinations/{destinationId}/state";

    public void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/state", context =>
        {
            context.Response.Headers.CacheControl = "no-store";
            return context.Response.WriteAsJsonAsync(report.Build(), AdminJsonContext.Readable.StateDocument);
        });
        endpoints.MapPut(StatePattern, SetStateAsync);
    }

    private async Task SetStateAsync(HttpContext context)
    {
        switch (AdminToken.Check(options.CurrentValue.Admin.Token, context.Request.Headers.Authorization))
        {
            case TokenCheck.NotConfigured:
                await Error(context, StatusCodes.Status403Forbidden, "No admin token is configured (Gateway:Admin:Token), so the runtime API is read-only.");
                return;
            case TokenCheck.Missing:
                context.Response.Headers.WWWAuthenticate = "Bearer";
                await Error(context, StatusCodes.Status401Unauthorized, "Missing 'Authorization: Bearer TOKEN' header.");
                return;
            case TokenCheck.Invalid:
                context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
                await Error(context, StatusCodes.Status401Unauthorized, "Wrong admin token.");
                return;
        }

        var clusterId = (string)context.Request.RouteValues["clusterId"]!;
        var destinationId = (string)context.Request.RouteValues["destinationId"]!;
        if (!proxyState.TryGetCluster(clusterId, out var cluster))
        {
            await Error(context, StatusCodes.Status404NotFound, $"Unknown cluster '{clusterId}'.");
            return;
        }

        if (!cluster.Destinations.TryGetValue(destinationId, out var destination))
        {
            await Error(context, StatusCodes.Status404NotFound, $"Cluster '{clusterId}' has no destination '{destinationId}'.");
            return;
        }

        // YARP matches ids without regard to case; the admin states are keyed by the ids as configured.
        clusterId = cluster.ClusterId;
        destinationId = destination.DestinationId;

        StateChangeRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync(context.Request.Body, AdminJsonContext.Readable.StateChangeRequest, context.RequestAborted);
        }
        catch (JsonException ex)
        {
            await Error(context, StatusCodes.Status400BadRequest, $"The body is not valid JSON: {ex.Message} Expected {{\"state\":\"ready|drain|maint\"}}.");
            return;
        }

        if (!AdminStateNames.TryParse(body?.State, out var state))
        {
            await Error(context, StatusCodes.Status400BadRequest, $"\"state\" must be \"ready\", \"drain\" or \"maint\", not {(body?.State is null ? "missing" : $"\"{body.State}\"")}.");
            return;
        }

        var previous = adminStates.Get(clusterId, destinationId);
        adminStates.Set(clusterId, destinationId, state);
        var remote = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        Log.StateChanged(logger, clusterId, destinationId, AdminStateNames.Of(previous), AdminStateNames.Of(state), remote);

        try
        {
            stateFile.Save();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.SaveFailed(logger, stateFile.Path, ex);
            await Error(context, StatusCodes.Status500InternalServerError, $"The state changed to '{AdminStateNames.Of(state)}' but could not be written to {stateFile.Path}: {ex.Message}");
            return;
        }

        var info = report.BuildDestination(cluster, destination);
        await Json(context, StatusCodes.Status200OK, new StateChangeResult(
            clusterId,
            destinationId,
            info.AdminState,
            AdminStateNames.Of(previous),
            info.AdminState,
            info.Health,
            info.Address,
            info.Weight,
            info.ActiveRequests), AdminJsonContext.Readable.StateChangeResult);
    }

    private static Task Error(HttpContext context, int status, string message)
        => Json(context, status, new ErrorBody(status, message), AdminJsonContext.Readable.ErrorBody);

    private static Task Json<T>(HttpContext context, int status, T value, JsonTypeInfo<T> typeInfo)
    {
        context.Response.StatusCode = status;
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsJsonAsync(value, typeInfo);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4001, Level = LogLevel.Warning,
            Message = "Admin state of {ClusterId}/{DestinationId} set from {PreviousState} to {State} by {RemoteAddress}")]
        public static partial void StateChanged(ILogger logger, string clusterId, string destinationId, string previousState, string state, string remoteAddress);

        [LoggerMessage(EventId = 4002, Level = LogLevel.Error, Message = "Admin states could not be written to {Path}")]
        public static partial void SaveFailed(ILogger logger, string? path, Exception exception);
    }
}
