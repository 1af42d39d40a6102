using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Faults;

/// <summary>
/// Admin security, written against the contract alone (the admin listener, <c>PUT
/// /api/clusters/{c}/destinations/{d}/state</c> and <c>GET /api/state</c>): every mutation without the token
/// or with a wrong one is 401 and changes nothing. Runs the gateway as its own process on fixed ports.
/// </summary>
public sealed class AdminSecurityTests
{
    private const string Token = "s3cret-token-for-tests";

    private static readonly (string What, string? Authorization)[] BadCredentials =
    [
        ("no Authorization header", null),
        ("wrong token", "Bearer wrong-token"),
        ("token in another case", $"Bearer {Token.ToUpperInvariant()}"),
        ("token with a suffix", $"Bearer {Token}x"),
        ("token prefix", $"Bearer {Token[..^1]}"),
        ("empty bearer", "Bearer "),
        ("Basic scheme", $"Basic {Convert.ToBase64String(Encoding.ASCII.GetBytes($"admin:{Token}"))}"),
        ("token without scheme", Token),
    ];

    [Fact]
    public async Task PutState_EveryBadCredential_401AndStateUnchanged()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        using var gateway = await RunningGateway.StartAsync(a, b);

        var wrong = new List<string>();
        foreach (var (what, authorization) in BadCredentials)
        {
            foreach (var state in new[] { "drain", "maint", "ready" })
            {
                using var response = await gateway.PutStateAsync("web", "a", state, authorization);
                if (response.StatusCode != HttpStatusCode.Unauthorized)
                {
                    wrong.Add($"{what}, state {state}: {(int)response.StatusCode}");
                }
            }
        }

        Assert.Empty(wrong);
        Assert.Equal("ready", await gateway.AdminStateAsync("web", "a"));
        a.ResetCount();
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await gateway.Public.GetAsync($"/x{i}")).StatusCode);
        }

        Assert.Equal(2, a.Requests);
    }

    [Fact]
    public async Task PutState_RightToken_200AndApplied()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        using var gateway = await RunningGateway.StartAsync(a, b);

        using var response = await gateway.PutStateAsync("web", "a", "maint", $"Bearer {Token}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("maint", await gateway.AdminStateAsync("web", "a"));
    }

    private sealed class RunningGateway : IDisposable
    {
        private readonly Process _process;
        private readonly string _config;

        private RunningGateway(Process process, string config, int publicPort, int adminPort)
        {
            _process = process;
            _config = config;
            Public = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{publicPort}/"), Timeout = TimeSpan.FromSeconds(10) };
            Admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{adminPort}/"), Timeout = TimeSpan.FromSeconds(10) };
        }

        public HttpClient Public { get; }

        public HttpClient Admin { get; }

        public static async Task<RunningGateway> StartAsync(TestBackend a, TestBackend b)
        {
            var config = Path.Combine(Path.GetTempPath(), $"gateway-admin-{Guid.NewGuid():N}.json");
            await File.WriteAllTextAsync(config, Configs.SingleCluster("RoundRobin", a, b));
            var publicPort = ExternalProxy.FreePort();
            var adminPort = ExternalProxy.FreePort();
            var process = GatewayProcess.Start(
                "--config", config,
                "--urls", $"http://127.0.0.1:{publicPort}",
                $"--Gateway:Admin:Urls=http://127.0.0.1:{adminPort}",
                $"--Gateway:Admin:Token={Token}");
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var gateway = new RunningGateway(process, config, publicPort, adminPort);
            try
            {
                await Eventually.TrueAsync(
                    async () =>
                    {
                        Assert.False(process.HasExited, "the gateway exited");
                        try
                        {
                            return (await gateway.Admin.GetAsync("/api/state")).IsSuccessStatusCode
                                && (await gateway.Public.GetAsync("/ready")).IsSuccessStatusCode;
                        }
                        catch (HttpRequestException)
                        {
                            return false;
                        }
                    },
                    "the public and admin listeners answer",
                    TimeSpan.FromSeconds(30));
            }
            catch
            {
                gateway.Dispose();
                throw;
            }

            return gateway;
        }

        public async Task<HttpResponseMessage> PutStateAsync(string cluster, string destination, string state, string? authorization)
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/clusters/{cluster}/destinations/{destination}/state")
            {
                Content = new StringContent(JsonSerializer.Serialize(new { state }), Encoding.UTF8, "application/json"),
            };
            if (authorization is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", authorization);
            }

            return await Admin.SendAsync(request);
        }

        public async Task<string?> AdminStateAsync(string cluster, string destination)
        {
            using var document = JsonDocument.Parse(await Admin.GetStringAsync("/api/state"));
            return document.RootElement.GetProperty("clusters").EnumerateArray()
                .Single(c => c.GetProperty("id").GetString() == cluster)
                .GetProperty("destinations").EnumerateArray()
                .Single(d => d.GetProperty("id").GetString() == destination)
                .GetProperty("adminState").GetString();
        }

        public void Dispose()
        {
            Public.Dispose();
            Admin.Dispose();
            try
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
            catch (InvalidOperationException)
            {
            }

            _process.Dispose();
            File.Delete(_config);
        }
    }
}
