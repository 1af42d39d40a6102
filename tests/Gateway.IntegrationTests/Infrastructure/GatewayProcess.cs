using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Gateway.IntegrationTests.Infrastructure;

/// <summary>
/// The built gateway (<c>src/Gateway/bin/&lt;Configuration&gt;/net10.0/Gateway.dll</c>) run as a real child
/// process, for what only a process shows: signals, exit codes, file watching as configured by environment.
/// </summary>
public sealed class GatewayProcess : IDisposable
{
    private const int Sigterm = 15;

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private GatewayProcess(Process process, Uri publicAddress)
    {
        _process = process;
        PublicAddress = publicAddress;
    }

    public Uri PublicAddress { get; }

    /// <summary>Everything the process wrote to standard output and error so far, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The output so far, line by line.</summary>
    public IReadOnlyList<string> Lines => Output.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Waits (bounded) for an output line that matches, and returns it.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            if (Lines.FirstOrDefault(match) is { } line)
            {
                return line;
            }

            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No such line (exited: {_process.HasExited}). Output:\n{Output}");
            }

            await Task.Delay(50);
        }
    }

    public static string GatewayDll
    {
        get
        {
            var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var configuration = testOutput.Parent!.Name;
            var root = testOutput;
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "Gateway.sln")))
            {
                root = root.Parent;
            }

            var dll = Path.Combine(root?.FullName ?? throw new InvalidOperationException("Gateway.sln not found above " + AppContext.BaseDirectory),
                "src", "Gateway", "bin", configuration, testOutput.Name, "Gateway.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException("Build the gateway first.", dll);
        }
    }

    /// <summary>Starts <c>dotnet Gateway.dll ARGS --urls http://127.0.0.1:PORT</c> and waits until it answers.</summary>
    public static async Task<GatewayProcess> StartAsync(IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        var port = FreePort();
        var info = CreateStartInfo(
            [.. args, "--urls", $"http://127.0.0.1:{port}", "--Gateway:Admin:Urls=http://127.0.0.1:0"],
            environment);
        var process = new Process { StartInfo = info };
        var started = new GatewayProcess(process, new Uri($"http://127.0.0.1:{port}"));
        process.OutputDataReceived += (_, e) => started.Append(e.Data);
        process.ErrorDataReceived += (_, e) => started.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await started.WaitUntilServingAsync();
        }
        catch
        {
            started.Dispose();
            throw;
        }

        return started;
    }

    /// <summary>Starts the gateway (Production) with exactly these arguments; the caller reads the redirected output.</summary>
    public static Process Start(params string[] args)
        => Process.Start(CreateStartInfo(args, new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production" }))!;

    /// <summary>Runs the gateway to completion (bounded), for <c>--check</c> and start-up failures.</summary>
    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args)
        => RunAsync(new Dictionary<string, string>(), args);

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(IDictionary<string, string> environment, params string[] args)
    {
        using var process = Process.Start(CreateStartInfo(args, new Dictionary<string, string>(environment) { ["ASPNETCORE_ENVIRONMENT"] = environment.TryGetValue("ASPNETCORE_ENVIRONMENT", out var name) ? name : "Production" }))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"gateway {string.Join(' ', args)} did not exit within 60 s");
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>What Kubernetes and <c>docker stop</c> send.</summary>
    public void SendSigterm()
    {
        if (Kill(_process.Id, Sigterm) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, SIGTERM) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The gateway did not exit within {timeout}. Output:\n{Output}");
        }

        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
    }

    private static ProcessStartInfo CreateStartInfo(IEnumerable<string> args, IDictionary<string, string>? environment)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(GatewayDll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // The test runner's own environment must not leak a configuration file into the gateway.
        info.Environment.Remove("GATEWAY_CONFIG");
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        return info;
    }

    private async Task WaitUntilServingAsync()
    {
        using var client = new HttpClient { BaseAddress = PublicAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The gateway exited with {_process.ExitCode}. Output:\n{Output}");
            }

            try
            {
                using var response = await client.GetAsync("/");
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                await Task.Delay(200);
            }
        }

        throw new TimeoutException($"The gateway did not start serving. Output:\n{Output}");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
