using Gateway.Configuration;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.IntegrationTests.Infrastructure;

/// <summary>
/// The real gateway <c>Program</c> on real Kestrel (127.0.0.1, dynamic port), configured from a JSON file
/// that the test owns and may rewrite to exercise hot reload.
/// </summary>
public sealed class GatewayFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;

    public GatewayFactory(string configJson, IDictionary<string, string?>? settings = null, string environment = "Development")
    {
        ConfigPath = Path.Combine(Path.GetTempPath(), $"gateway-test-{Guid.NewGuid():N}.json");
        File.WriteAllText(ConfigPath, configJson);
        Environment = environment;
        _settings = new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["Gateway:Admin:Urls"] = "http://127.0.0.1:0",
            ["Gateway:Demo:Enabled"] = "false",
        };
        // A null value removes the factory's default, so that the repository's appsettings decide.
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                _settings.Remove(key);
            }
            else
            {
                _settings[key] = value;
            }
        }

        UseKestrel();
    }

    public string ConfigPath { get; }

    /// <summary>Adds or replaces gateway services before the host is built (log capture, test hooks).</summary>
    public Action<IServiceCollection>? ConfigureTestServices { get; init; }

    public string Environment { get; }

    /// <summary>The public listener, for example <c>http://127.0.0.1:41234</c>.</summary>
    public Uri PublicAddress
    {
        get
        {
            StartServer();
            var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
            return new Uri(addresses.First());
        }
    }

    public HttpClient CreatePublicClient() => new() { BaseAddress = PublicAddress, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Rewrites the configuration file, as an operator editing it would.</summary>
    public void WriteConfig(string configJson) => File.WriteAllText(ConfigPath, configJson);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(Environment);
        builder.ConfigureAppConfiguration(configuration =>
        {
            configuration.AddGatewayConfigFile(ConfigPath);
            configuration.AddInMemoryCollection(_settings);
        });
        if (ConfigureTestServices is { } configure)
        {
            builder.ConfigureServices(configure);
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        try
        {
            File.Delete(ConfigPath);
        }
        catch (IOException)
        {
        }
    }
}
