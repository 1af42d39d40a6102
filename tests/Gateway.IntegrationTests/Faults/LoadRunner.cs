using System.Diagnostics;
using System.Net;

namespace Gateway.IntegrationTests.Faults;

/// <summary>One request under load: when it started (since the load began), how it ended and how long it took.</summary>
public sealed record LoadResult(TimeSpan StartedAt, HttpStatusCode? Status, string? Error, TimeSpan Elapsed, string Body)
{
    public bool Ok => Status == HttpStatusCode.OK && Error is null;

    public string Describe() => Status is { } status ? ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture) : Error!;
}

/// <summary>
/// Sustained concurrent GET load: a fixed number of workers, each sending one request after another, until
/// stopped or a hard deadline passes, never more than a fixed number of requests in all.
/// </summary>
public sealed class LoadRunner : IAsyncDisposable
{
    private const int MaxRequests = 200_000;

    private readonly HttpClient _client;
    private readonly CancellationTokenSource _stop;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<LoadResult> _results = [];
    private readonly Task[] _workers;
    private int _sent;

    public LoadRunner(Uri address, int workers, TimeSpan deadline, TimeSpan? requestTimeout = null)
    {
        _client = new HttpClient { BaseAddress = address, Timeout = requestTimeout ?? TimeSpan.FromSeconds(30) };
        _stop = new CancellationTokenSource(deadline);
        _workers = Enumerable.Range(0, workers).Select(w => Task.Run(() => WorkAsync(w))).ToArray();
    }

    public TimeSpan Now => _clock.Elapsed;

    public IReadOnlyList<LoadResult> Results
    {
        get
        {
            lock (_results)
            {
                return _results.ToArray();
            }
        }
    }

    public async Task<IReadOnlyList<LoadResult>> StopAsync()
    {
        _stop.Cancel();
        await Task.WhenAll(_workers);
        return Results;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _client.Dispose();
        _stop.Dispose();
    }

    private async Task WorkAsync(int worker)
    {
        var i = 0;
        while (!_stop.IsCancellationRequested && Interlocked.Increment(ref _sent) <= MaxRequests)
        {
            var started = _clock.Elapsed;
            LoadResult result;
            try
            {
                using var response = await _client.GetAsync($"/load/{worker}/{i++}");
                var body = await response.Content.ReadAsStringAsync();
                result = new LoadResult(started, response.StatusCode, null, _clock.Elapsed - started, body);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
            {
                result = new LoadResult(started, null, ex.GetType().Name, _clock.Elapsed - started, string.Empty);
            }

            lock (_results)
            {
                _results.Add(result);
            }
        }
    }
}
