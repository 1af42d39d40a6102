using Gateway.Proxy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Gateway.Tests.Proxy;

public sealed class DataProtectionStartupTests
{
    [Fact]
    public void AddReverseProxy_RegistersTheKeyRingLoaderThatTheGatewayRemoves()
    {
        // Fails if ASP.NET Core renames its hosted service: the gateway would silently load keys at start-up again.
        var services = new ServiceCollection();
        services.AddReverseProxy();

        Assert.Single(services, d => d.ServiceType == typeof(IHostedService) && ProxyExtensions.IsDataProtectionKeyRingLoader(d.ImplementationType));
    }

    [Fact]
    public void AddGatewayProxy_NoKeyRingLoaderAtStartUp_DataProtectionStillWorks()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddDataProtection().UseEphemeralDataProtectionProvider();

        builder.AddGatewayProxy();
        using var app = builder.Build();

        Assert.DoesNotContain(app.Services.GetServices<IHostedService>(), s => ProxyExtensions.IsDataProtectionKeyRingLoader(s.GetType()));
        var protector = app.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("affinity");
        Assert.Equal("destination-a", protector.Unprotect(protector.Protect("destination-a")));
    }
}
