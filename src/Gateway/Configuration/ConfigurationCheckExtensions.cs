namespace Gateway.Configuration;

public static class ConfigurationCheckExtensions
{
    /// <summary><c>--check</c>: validate, print every error, and return the exit code. Binds nothing.</summary>
    public static async Task<int> RunConfigurationCheckAsync(this WebApplication app)
    {
        var result = await app.Services.GetRequiredService<ConfigurationChecker>().CheckAsync();
        if (result.IsValid)
        {
            Console.Out.WriteLine(result.Summary);
            return 0;
        }

        WriteErrors(result.Errors);
        return 1;
    }

    /// <summary>Refuses to start on an invalid configuration, with the same rules as <c>--check</c>.</summary>
    public static async Task EnsureValidConfigurationAsync(this WebApplication app)
    {
        var result = await app.Services.GetRequiredService<ConfigurationChecker>().CheckAsync();
        if (!result.IsValid)
        {
            throw new InvalidConfigurationException("The configuration is invalid.", result.Errors);
        }
    }

    public static void WriteErrors(IReadOnlyList<string> errors)
    {
        Console.Error.WriteLine($"Configuration is invalid ({errors.Count} error{(errors.Count == 1 ? string.Empty : "s")}):");
        foreach (var error in errors)
        {
            Console.Error.WriteLine($"  - {error}");
        }
    }
}
