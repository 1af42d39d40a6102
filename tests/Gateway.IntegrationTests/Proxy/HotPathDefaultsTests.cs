using Gateway.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.IntegrationTests.Proxy;

public sealed class HotPathDefaultsTests
{
    [Fact]
    public async Task Gateway_WithItsSerilogConfiguration_HostingDiagnosticsLoggerStillDisabled()
    {
        await using var a = await TestBackend.StartAsync("a");
        using var gateway = new GatewayFactory(Configs.SingleCluster("RoundRobin", a));
        gateway.StartServer();

        var loggers = gateway.Services.GetRequiredService<ILoggerFactory>();

        // Disabled even at Critical, through Serilog too: ASP.NET Core then starts no Activity and no log scope per request.
        Assert.False(loggers.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Critical));
        Assert.True(loggers.CreateLogger("Gateway.AccessLog").IsEnabled(LogLevel.Information));
    }
}
