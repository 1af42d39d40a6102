using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Faults;

/// <summary>
/// A backend that is a real process of its own, so that it can be killed, frozen with SIGSTOP and restarted:
/// the gateway itself in demo mode on a fixed loopback port. Each of its answers names the demo backend's
/// address (<c>host</c>), which tells which process served a request.
/// </summary>
public sealed class BackendProcess : IDisposable
{
    private const int SigCont = 18;
    private const int SigStop = 19;

    private readonly Queue<string> _output = new();
    private Process? _process;

    private BackendProcess(int port)
    {
        Port = port;
    }

    public int Port { get; }

    public string Address => $"http://127.0.0.1:{Port}/";

    /// <summary>The <c>host</c> values this process answers with.</summary>
    public HashSet<string> Hosts { get; } = [];

    public static async Task<BackendProcess> StartAsync()
    {
        var backend = new BackendProcess(ExternalProxy.FreePort());
        await backend.StartAsync(CancellationToken.None);
        return backend;
    }

    /// <summary>Starts (again) on the same port and learns which hosts answer for it.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Hosts.Clear();
        _process = GatewayProcess.Start(
            "--urls", Address.TrimEnd('/'),
            "--Gateway:Demo:Enabled=true",
            "--Gateway:Admin:Urls=http://127.0.0.1:0",
            "--Logging:LogLevel:Default=Warning");
        // Drained so that the child never blocks on a full pipe; the tail explains a failed start.
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        using var client = new HttpClient { BaseAddress = new Uri(Address), Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (Hosts.Count < 3)
        {
            try
            {
                Hosts.Add(HostOf(await client.GetStringAsync("/probe", cancellationToken)));
            }
            catch (HttpRequestException) when (deadline.Elapsed < TimeSpan.FromSeconds(60) && !_process.HasExited)
            {
                await Task.Delay(100, cancellationToken);
            }
            catch (HttpRequestException ex)
            {
                lock (_output)
                {
                    throw new InvalidOperationException($"The backend process on port {Port} did not start: {ex.Message}\n{string.Join('\n', _output)}", ex);
                }
            }
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Enqueue(line);
            while (_output.Count > 50)
            {
                _output.Dequeue();
            }
        }
    }

    public void Kill()
    {
        _process?.Kill(entireProcessTree: true);
        _process?.WaitForExit(10_000);
        _process?.Dispose();
        _process = null;
    }

    public void Freeze() => Signal(SigStop);

    public void Thaw() => Signal(SigCont);

    public static string HostOf(string body)
    {
        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("host").GetString()!;
    }

    public void Dispose()
    {
        if (_process is not null)
        {
            Signal(SigCont);
            Kill();
        }
    }

    private void Signal(int signal)
    {
        if (_process is not null && kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
