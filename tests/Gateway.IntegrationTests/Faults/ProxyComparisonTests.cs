using System.Text;
using Gateway.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Gateway.IntegrationTests.Faults;

/// <summary>
/// The same malformed payloads against the gateway, HAProxy and nginx, each in front of its own backend:
/// the gateway must refuse everything either of them refuses, and must never let a smuggled request through.
/// Prints the comparison table that the README records.
/// </summary>
public sealed class ProxyComparisonTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Payloads_GatewayHaproxyNginx_GatewayAtLeastAsStrict()
    {
        var payloads = MalformedPayloads.All;
        await using var gatewayBackend = await RecordingBackend.StartAsync();
        await using var haproxyBackend = await RecordingBackend.StartAsync();
        await using var nginxBackend = await RecordingBackend.StartAsync();
        using var gateway = new GatewayFactory(Configs.SingleCluster("RoundRobin", gatewayBackend.Backend));
        using var haproxy = await ExternalProxy.StartHaproxyAsync(haproxyBackend.Backend.Port);
        using var nginx = await ExternalProxy.StartNginxAsync(nginxBackend.Backend.Port);

        foreach (var address in new[] { gateway.PublicAddress, haproxy.Address, nginx.Address })
        {
            using var warmUp = new HttpClient();
            (await warmUp.GetAsync(new Uri(address, "/warm-up"))).EnsureSuccessStatusCode();
        }

        var table = new StringBuilder("| payload | Gateway | HAProxy 2.6 | nginx 1.22 |\n| --- | --- | --- | --- |\n");
        var failures = new List<string>();
        foreach (var (name, payload) in payloads)
        {
            var bytes = RawHttp.Bytes(payload);
            var ours = await Run(gateway.PublicAddress, bytes, gatewayBackend);
            var theirs = new[] { await Run(haproxy.Address, bytes, haproxyBackend), await Run(nginx.Address, bytes, nginxBackend) };
            table.Append(FormattableString.Invariant($"| {name} | {ours.Text} | {theirs[0].Text} | {theirs[1].Text} |\n"));

            if (ours.Smuggled)
            {
                failures.Add($"{name}: the gateway let the smuggled request through");
            }

            if (theirs.Any(t => t.Refused) && !ours.Refused && !(name is "CL.TE" or "TE.CL" && ours.Closed))
            {
                failures.Add($"{name}: HAProxy or nginx refuses it, the gateway answers {ours.Text}");
            }
        }

        output.WriteLine(table.ToString());
        Assert.True(failures.Count == 0, string.Join("\n", failures) + "\n" + table);
    }

    private static async Task<(string Text, bool Refused, bool Closed, bool Smuggled)> Run(Uri address, byte[] payload, RecordingBackend backend)
    {
        backend.Clear();
        var outcome = await RawHttp.SendAsync(address, payload);
        await Task.Delay(100);
        var smuggled = backend.Saw(MalformedPayloads.SmuggledPath);
        var text = outcome.Describe() + (smuggled ? ", **smuggled request reached the backend**" : string.Empty);
        return (text, MalformedPayloads.IsRejection(outcome.FirstStatus) && outcome.Closed && !smuggled, outcome.Closed, smuggled);
    }

    private sealed class RecordingBackend : IAsyncDisposable
    {
        private readonly List<string> _paths = [];

        private RecordingBackend(TestBackend backend)
        {
            Backend = backend;
            backend.Handler = async context =>
            {
                lock (_paths)
                {
                    _paths.Add(context.Request.Path.Value!);
                }

                await context.Request.Body.CopyToAsync(Stream.Null);
                await context.Response.WriteAsync("ok");
            };
        }

        public TestBackend Backend { get; }

        public static async Task<RecordingBackend> StartAsync() => new(await TestBackend.StartAsync("backend"));

        public void Clear()
        {
            lock (_paths)
            {
                _paths.Clear();
            }
        }

        public bool Saw(string path)
        {
            lock (_paths)
            {
                return _paths.Contains(path);
            }
        }

        public ValueTask DisposeAsync() => Backend.DisposeAsync();
    }
}
