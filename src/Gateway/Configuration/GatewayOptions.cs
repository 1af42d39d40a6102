using System.Net;
using Microsoft.Extensions.Options;

namespace Gateway.Configuration;

/// <summary>The <c>Gateway</c> configuration section: the gateway's own settings beside YARP's.</summary>
public sealed class GatewayOptions
{
    public const string SectionName = "Gateway";

    public AdminOptions Admin { get; set; } = new();

    public ForwardedHeadersSettings ForwardedHeaders { get; set; } = new();

    public ProxyProtocolSettings ProxyProtocol { get; set; } = new();

    public DemoOptions Demo { get; set; } = new();

    public MetricsSettings Metrics { get; set; } = new();

    public string? StateFile { get; set; }

    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan ShutdownDelay { get; set; } = TimeSpan.Zero;
}

public sealed class AdminOptions
{
    public string Urls { get; set; } = "http://127.0.0.1:9901";

    public string? Token { get; set; }
}

public sealed class ForwardedHeadersSettings
{
    public string[] TrustedProxies { get; set; } = [];
}

public enum ProxyProtocolMode
{
    Off,
    Optional,
    Required,
}

public sealed class ProxyProtocolSettings
{
    public ProxyProtocolMode Mode { get; set; } = ProxyProtocolMode.Off;
}

public sealed class DemoOptions
{
    public bool Enabled { get; set; }
}

public sealed class MetricsSettings
{
    /// <summary>Export HttpClient's per-request meter (<c>http_client_*</c>) too; read once at start-up.</summary>
    public bool HttpClientMeters { get; set; }
}

internal sealed class GatewayOptionsValidator : IValidateOptions<GatewayOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        var errors = new List<string>();
        foreach (var entry in options.ForwardedHeaders.TrustedProxies)
        {
            if (!TrustedProxyList.TryParseEntry(entry, out _))
            {
                errors.Add($"Gateway:ForwardedHeaders:TrustedProxies: '{entry}' is neither an IP address nor a CIDR range (for example 10.0.0.0/8).");
            }
        }

        if (string.IsNullOrWhiteSpace(options.Admin.Urls))
        {
            errors.Add("Gateway:Admin:Urls must name at least one URL, for example http://127.0.0.1:9901.");
        }
        else
        {
            foreach (var url in options.Admin.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!Uri.TryCreate(url.Replace("://*", "://localhost", StringComparison.Ordinal).Replace("://+", "://localhost", StringComparison.Ordinal), UriKind.Absolute, out var uri)
                    || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                {
                    errors.Add($"Gateway:Admin:Urls: '{url}' is not an http:// or https:// URL.");
                }
            }
        }

        if (options.ShutdownTimeout < TimeSpan.Zero)
        {
            errors.Add("Gateway:ShutdownTimeout must not be negative.");
        }

        if (options.ShutdownDelay < TimeSpan.Zero)
        {
            errors.Add("Gateway:ShutdownDelay must not be negative.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>IP addresses and CIDR ranges, as written in <c>Gateway:ForwardedHeaders:TrustedProxies</c>.</summary>
public static class TrustedProxyList
{
    public static bool TryParseEntry(string entry, out IPNetwork network)
    {
        entry = entry.Trim();
        if (IPAddress.TryParse(entry, out var address))
        {
            if (address.IsIPv4MappedToIPv6)
            {
                address = address.MapToIPv4();
            }

            network = new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }

        return IPNetwork.TryParse(entry, out network);
    }
}
