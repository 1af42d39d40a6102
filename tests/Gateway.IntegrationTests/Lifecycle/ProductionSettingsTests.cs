using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Lifecycle;

/// <summary>The built gateway with ASPNETCORE_ENVIRONMENT=Production reads appsettings.Production.json's Kestrel limits.</summary>
public sealed class ProductionSettingsTests(ProductionSettingsTests.ProductionGateway gateway) : IClassFixture<ProductionSettingsTests.ProductionGateway>
{
    [Fact]
    public async Task Production_OrdinaryRequest_Served()
    {
        using var client = new HttpClient { BaseAddress = gateway.Process.PublicAddress };

        Assert.Equal("web", await client.GetStringAsync("/"));
    }

    [Fact]
    public async Task Production_HeadersOver16KB_Rejected431WithoutServerHeader()
    {
        var before = gateway.Backend.Requests;

        var response = await SendAsync($"GET / HTTP/1.1\r\nHost: x\r\nX-Big: {new string('a', 17 * 1024)}\r\nConnection: close\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 431", response, StringComparison.Ordinal);
        Assert.DoesNotContain("\r\nServer:", response, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, gateway.Backend.Requests);
    }

    [Fact]
    public async Task Production_RequestLineOver8KB_Rejected414()
    {
        var response = await SendAsync($"GET /{new string('a', 9 * 1024)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 414", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Production_DeclaredBodyOver10MB_Rejected413()
    {
        var response = await SendAsync($"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: {11 * 1024 * 1024}\r\nConnection: close\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 413", response, StringComparison.Ordinal);
    }

    private async Task<string> SendAsync(string request)
    {
        await using var connection = await RawConnection.OpenAsync(gateway.Process.PublicAddress);
        await connection.SendAsync(request);
        return await connection.ReadToEndAsync();
    }

    /// <summary>One gateway process for the class: starting a process costs seconds on a busy machine.</summary>
    public sealed class ProductionGateway : IAsyncLifetime
    {
        private string _config = null!;

        public TestBackend Backend { get; private set; } = null!;

        public GatewayProcess Process { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Backend = await TestBackend.StartAsync("web");
            _config = Path.Combine(Path.GetTempPath(), $"gateway-production-{Guid.NewGuid():N}.json");
            await File.WriteAllTextAsync(_config, Configs.SingleCluster("RoundRobin", Backend));
            Process = await GatewayProcess.StartAsync(["--config", _config], new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production" });
        }

        public async Task DisposeAsync()
        {
            Process.Dispose();
            File.Delete(_config);
            await Backend.DisposeAsync();
        }
    }
}
