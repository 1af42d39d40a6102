using Gateway.Observability;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Gateway.Tests.Observability;

/// <summary>
/// Serilog replaces the default logging providers; a provider a host or a test registers afterwards still gets
/// every event, the access log's too, through a sink Serilog adds only when there is such a provider.
/// </summary>
public sealed class SerilogProvidersTests
{
    [Fact]
    public async Task LaterProvider_ReceivesFrameworkLogsAndTheAccessLog()
    {
        using var captured = new FakeLoggerProvider();
        await using var app = Build(services => services.AddSingleton<ILoggerProvider>(captured));

        app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Gateway.Tests").LogWarning("from {Source}", "ILogger");
        AccessLogTests.WriteTypical(app.Services.GetRequiredService<AccessLog>());

        var records = captured.Collector.GetSnapshot();
        Assert.Contains(records, r => r.Category == "Gateway.Tests" && r.Level == LogLevel.Warning && r.Message == "from \"ILogger\"");
        Assert.Contains(records, r => r.Category == AccessLog.SourceContext && r.Level == LogLevel.Information);
    }

    [Fact]
    public async Task NoLaterProvider_TheAccessLogAllocatesOnlyItsEvent()
    {
        await using var app = Build(_ => { });

        // The event itself is about 900 bytes (AccessLogTests); the providers' sink, with no provider to call, added about 250 more.
        Assert.InRange(AccessLogTests.BytesPerEvent(app.Services.GetRequiredService<AccessLog>()), 1, 1000);
    }

    private static WebApplication Build(Action<IServiceCollection> laterServices)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = Path.GetTempPath() });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Serilog:MinimumLevel:Default"] = "Information",
        });
        builder.AddGatewayObservability();
        laterServices(builder.Services);
        return builder.Build();
    }
}
