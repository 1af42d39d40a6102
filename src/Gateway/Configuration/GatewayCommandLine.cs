namespace Gateway.Configuration;

/// <summary>
/// The gateway's own command-line switches. They are removed from the arguments handed to the host
/// because ASP.NET Core's command-line provider would otherwise take the next argument as the value
/// of a bare flag such as <c>--check</c>.
/// </summary>
public sealed record GatewayCommandLine(bool Check, string? ConfigPath, string[] HostArgs)
{
    public const string ConfigEnvironmentVariable = "GATEWAY_CONFIG";

    public static GatewayCommandLine Parse(string[] args, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var check = false;
        string? configPath = null;
        var hostArgs = new List<string>(args.Length);

        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (string.Equals(arg, "--check", StringComparison.OrdinalIgnoreCase))
            {
                check = true;
            }
            else if (string.Equals(arg, "--config", StringComparison.OrdinalIgnoreCase))
            {
                if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    throw new InvalidConfigurationException("--config needs a file path, for example: --config /etc/gateway/gateway.json");
                }

                configPath = args[++i];
            }
            else if (arg.StartsWith("--config=", StringComparison.OrdinalIgnoreCase))
            {
                configPath = arg["--config=".Length..];
            }
            else
            {
                hostArgs.Add(arg);
            }
        }

        if (string.IsNullOrWhiteSpace(configPath))
        {
            configPath = environment(ConfigEnvironmentVariable);
        }

        return new GatewayCommandLine(check, string.IsNullOrWhiteSpace(configPath) ? null : configPath, hostArgs.ToArray());
    }
}
