using Gateway.Configuration;
using Microsoft.Extensions.Configuration;

namespace Gateway.Tests.Configuration;

public sealed class GuardedJsonConfigurationSourceTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"guarded-{Guid.NewGuid():N}.json");

    [Fact]
    public void Reload_InvalidJson_KeepsLastGoodDataAndReportsTheFile()
    {
        File.WriteAllText(_path, """{ "ReverseProxy": { "Routes": { "r1": { "ClusterId": "c1" } } } }""");
        var errors = new ConfigurationFileErrors();
        var reported = new List<string>();
        errors.Subscribe(reported.Add);
        var configuration = new ConfigurationBuilder().AddGatewayConfigFileForTest(_path, errors).Build();

        File.WriteAllText(_path, """{ "ReverseProxy": { "Routes": { "r1": { "ClusterId": """);
        configuration.Reload();

        Assert.Equal("c1", configuration["ReverseProxy:Routes:r1:ClusterId"]);
        var error = Assert.Single(reported);
        Assert.Contains(_path, error);
        Assert.Contains("invalid JSON", error);
    }

    [Fact]
    public void Reload_ValidJson_Applied()
    {
        File.WriteAllText(_path, """{ "A": "1" }""");
        var errors = new ConfigurationFileErrors();
        var configuration = new ConfigurationBuilder().AddGatewayConfigFileForTest(_path, errors).Build();

        File.WriteAllText(_path, """{ "A": "2" }""");
        configuration.Reload();

        Assert.Equal("2", configuration["A"]);
    }

    [Fact]
    public void FirstLoad_InvalidJson_Throws()
    {
        File.WriteAllText(_path, "{ nope");

        Assert.Throws<InvalidDataException>(() => new ConfigurationBuilder().AddGatewayConfigFileForTest(_path, new ConfigurationFileErrors()).Build());
    }

    [Fact]
    public void AddGatewayConfigFile_MissingFile_ErrorNamesTheFile()
    {
        var error = Assert.Throws<InvalidConfigurationException>(() => new ConfigurationBuilder().AddGatewayConfigFile(_path));

        Assert.Contains(_path, error.Message);
    }

    public void Dispose() => File.Delete(_path);
}

internal static class GuardedSourceTestExtensions
{
    public static IConfigurationBuilder AddGatewayConfigFileForTest(this IConfigurationBuilder builder, string path, ConfigurationFileErrors errors)
    {
        var source = new GuardedJsonConfigurationSource(errors) { Path = path, Optional = false, ReloadOnChange = false };
        source.ResolveFileProvider();
        return builder.Add(source);
    }
}
