using Gateway.Proxy;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Proxy;

public sealed class HotPathDefaultsTests
{
    [Fact]
    public void AddGatewayProxy_DefaultLogLevelInformation_HostingDiagnosticsLoggerDisabled()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        });

        builder.AddGatewayProxy();
        using var app = builder.Build();
        var loggers = app.Services.GetRequiredService<ILoggerFactory>();

        // Disabled even at Critical: ASP.NET Core then starts no Activity and no log scope per request.
        Assert.False(loggers.CreateLogger(HotPathDefaults.HostingDiagnosticsCategory).IsEnabled(LogLevel.Critical));
        Assert.True(loggers.CreateLogger("Microsoft.AspNetCore.Server.Kestrel").IsEnabled(LogLevel.Warning));
    }
}
