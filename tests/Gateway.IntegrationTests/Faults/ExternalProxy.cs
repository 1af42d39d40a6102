using System.Diagnostics;
using System.Net.Sockets;

namespace Gateway.IntegrationTests.Faults;

/// <summary>HAProxy or nginx (Debian packages, see .ci/apt-packages) on a loopback port, with a generated configuration, in front of one backend.</summary>
public sealed class ExternalProxy : IDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private ExternalProxy(string name, Process process, string directory, int port)
    {
        Name = name;
        _process = process;
        _directory = directory;
        Address = new Uri($"http://127.0.0.1:{port}/");
    }

    public string Name { get; }

    public Uri Address { get; }

    public static Task<ExternalProxy> StartHaproxyAsync(int backendPort)
    {
        var port = FreePort();
        var directory = Directory.CreateTempSubdirectory("gateway-haproxy-").FullName;
        var config = Path.Combine(directory, "haproxy.cfg");
        File.WriteAllText(config, $"""
            global
                maxconn 1000
            defaults
                mode http
                timeout connect 2s
                timeout client 5s
                timeout server 5s
                timeout http-request 5s
            frontend public
                bind 127.0.0.1:{port}
                default_backend web
            backend web
                server b1 127.0.0.1:{backendPort}

            """);
        return StartAsync("HAProxy", Binary("haproxy"), ["-f", config, "-db"], directory, port);
    }

    public static Task<ExternalProxy> StartNginxAsync(int backendPort)
    {
        var port = FreePort();
        var directory = Directory.CreateTempSubdirectory("gateway-nginx-").FullName;
        var config = Path.Combine(directory, "nginx.conf");
        File.WriteAllText(config, $$"""
            daemon off;
            master_process off;
            worker_processes 1;
            pid {{directory}}/nginx.pid;
            error_log {{directory}}/error.log;
            events { worker_connections 1024; }
            http {
                access_log off;
                client_body_temp_path {{directory}}/body;
                proxy_temp_path {{directory}}/proxy;
                fastcgi_temp_path {{directory}}/fastcgi;
                uwsgi_temp_path {{directory}}/uwsgi;
                scgi_temp_path {{directory}}/scgi;
                server {
                    listen 127.0.0.1:{{port}};
                    location / {
                        proxy_pass http://127.0.0.1:{{backendPort}};
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                    }
                }
            }
            """);
        return StartAsync("nginx", Binary("nginx"), ["-c", config, "-p", directory], directory, port);
    }

    public void Dispose()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static async Task<ExternalProxy> StartAsync(string name, string binary, string[] args, string directory, int port)
    {
        var start = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        var proxy = new ExternalProxy(name, process, directory, port);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                var message = $"{name} exited with {process.ExitCode}: {await process.StandardError.ReadToEndAsync()}";
                proxy.Dispose();
                throw new InvalidOperationException(message);
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", port);
                return proxy;
            }
            catch (SocketException) when (deadline.Elapsed < TimeSpan.FromSeconds(15))
            {
                await Task.Delay(100);
            }
        }
    }

    private static string Binary(string name)
    {
        foreach (var directory in new[] { "/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin" })
        {
            var path = Path.Combine(directory, name);
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new InvalidOperationException($"{name} is not installed; .ci/apt-packages lists it and .ci/run installs it (apt-get install {name}).");
    }

    /// <summary>
    /// A free loopback port below Linux's ephemeral range (32768 and up), so that no outgoing connection of a
    /// load test can take it between now and the moment a server binds it, or while that server is restarted.
    /// </summary>
    internal static int FreePort()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var port = Random.Shared.Next(20_000, 32_000);
            try
            {
                using var listener = new TcpListener(System.Net.IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
            }
        }

        throw new InvalidOperationException("No free loopback port between 20000 and 32000.");
    }
}
