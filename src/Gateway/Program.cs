using Gateway.Admin;
using Gateway.ClientIp;
using Gateway.Configuration;
using Gateway.Demo;
using Gateway.Health;
using Gateway.Lifecycle;
using Gateway.LoadBalancing;
using Gateway.Observability;
using Gateway.Proxy;
using Gateway.ProxyProtocol;
using Gateway.RateLimiting;
using Gateway.Reliability;

try
{
    var commandLine = GatewayCommandLine.Parse(args);
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions
    {
        Args = commandLine.HostArgs,
        ContentRootPath = AppContext.BaseDirectory,
    });

    builder.AddGatewayConfiguration(commandLine);
    builder.AddGatewayProxy();
    builder.AddGatewayLoadBalancing();
    builder.AddGatewayClientIp();
    builder.AddGatewayHealth();
    builder.AddGatewayAdmin();
    builder.AddGatewayDemo();
    builder.AddGatewayProxyProtocol();
    builder.AddGatewayLifecycle();
    builder.AddGatewayObservability();
    builder.AddGatewayReliability();
    builder.AddGatewayRateLimiting();

    var app = builder.Build();
    if (commandLine.Check)
    {
        return await app.RunConfigurationCheckAsync();
    }

    await app.EnsureValidConfigurationAsync();
    app.UseGatewayRequestFraming();
    app.UseGatewayClientIp();
    app.UseGatewayRateLimiting();
    app.MapGatewayProxy();
    await app.RunAsync();
    return 0;
}
catch (InvalidConfigurationException ex)
{
    ConfigurationCheckExtensions.WriteErrors(ex.Errors);
    return 1;
}
catch (Microsoft.Extensions.Options.OptionsValidationException ex)
{
    ConfigurationCheckExtensions.WriteErrors(ex.Failures.ToArray());
    return 1;
}

/// <summary>The entry point, named for <c>WebApplicationFactory&lt;Program&gt;</c> in the integration tests.</summary>
public partial class Program;
