using System.Text.Json;
using Gateway.Configuration;
using Microsoft.Extensions.Options;

namespace Gateway.Admin;

/// <summary>
/// <c>Gateway:StateFile</c>, HAProxy's <c>server-state-file</c>: the admin states are loaded from it before
/// the gateway serves and written back by <see cref="Save"/> after every change, atomically (a temporary file in the same folder,
/// flushed, then renamed over the old one), so a crash leaves the old file or the new one, never half of
/// one. States are keyed by cluster and destination id, so they outlive reloads that drop a destination
/// for a while. Without the setting, states live in memory only.
/// </summary>
public sealed partial class AdminStateFile : IHostedLifecycleService
{
    private readonly DestinationAdminStates _states;
    private readonly ILogger<AdminStateFile> _logger;
    private readonly Lock _writeLock = new();

    public AdminStateFile(DestinationAdminStates states, IOptions<GatewayOptions> options, ILogger<AdminStateFile> logger)
    {
        _states = states;
        _logger = logger;
        var path = options.Value.StateFile;
        Path = string.IsNullOrWhiteSpace(path) ? null : System.IO.Path.GetFullPath(path);
    }

    /// <summary>The full path of the state file, or null when states are kept in memory only.</summary>
    public string? Path { get; }

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        if (Path is not null)
        {
            Load(Path);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Writes every state now. Called by whoever changes a state, after the change; throws when the file
    /// cannot be written, so that the caller can say so.
    /// </summary>
    public void Save()
    {
        if (Path is null)
        {
            return;
        }

        lock (_writeLock)
        {
            var document = new StateFileDocument(new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal));
            foreach (var ((cluster, destination), state) in _states.Snapshot().OrderBy(e => e.Key.Cluster, StringComparer.Ordinal).ThenBy(e => e.Key.Destination, StringComparer.Ordinal))
            {
                if (!document.Clusters.TryGetValue(cluster, out var destinations))
                {
                    destinations = new Dictionary<string, string>(StringComparer.Ordinal);
                    document.Clusters[cluster] = destinations;
                }

                destinations[destination] = AdminStateNames.Of(state);
            }

            var directory = System.IO.Path.GetDirectoryName(Path)!;
            Directory.CreateDirectory(directory);
            var temporary = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(Path)}.{Guid.NewGuid():N}.tmp");
            try
            {
                using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                {
                    JsonSerializer.Serialize(stream, document, AdminJsonContext.Readable.StateFileDocument);
                    stream.Flush(flushToDisk: true);
                }

                File.Move(temporary, Path, overwrite: true);
            }
            catch
            {
                File.Delete(temporary);
                throw;
            }
        }
    }

    private void Load(string path)
    {
        if (!File.Exists(path))
        {
            Log.NoStateFile(_logger, path);
            return;
        }

        StateFileDocument? document;
        try
        {
            using var stream = File.OpenRead(path);
            document = JsonSerializer.Deserialize(stream, AdminJsonContext.Readable.StateFileDocument);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            Log.Unreadable(_logger, path, ex.Message);
            return;
        }

        var loaded = 0;
        foreach (var (cluster, destinations) in document?.Clusters ?? [])
        {
            foreach (var (destination, text) in destinations ?? [])
            {
                if (AdminStateNames.TryParse(text, out var state))
                {
                    _states.Set(cluster, destination, state);
                    loaded++;
                }
                else
                {
                    Log.UnknownState(_logger, path, cluster, destination, text);
                }
            }
        }

        Log.Loaded(_logger, loaded, path);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Admin state file {Path} does not exist yet; every destination starts ready")]
        public static partial void NoStateFile(ILogger logger, string path);

        [LoggerMessage(EventId = 4102, Level = LogLevel.Information, Message = "Loaded {Count} admin state(s) from {Path}")]
        public static partial void Loaded(ILogger logger, int count, string path);

        [LoggerMessage(EventId = 4103, Level = LogLevel.Warning, Message = "Admin state file {Path} cannot be read ({Reason}); every destination starts ready")]
        public static partial void Unreadable(ILogger logger, string path, string reason);

        [LoggerMessage(EventId = 4104, Level = LogLevel.Warning, Message = "Admin state file {Path}: destination {ClusterId}/{DestinationId} has unknown state '{State}'; it starts ready")]
        public static partial void UnknownState(ILogger logger, string path, string clusterId, string destinationId, string? state);
    }
}
