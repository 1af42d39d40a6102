using Gateway.Configuration;

namespace Gateway.Tests.Configuration;

public sealed class GatewayCommandLineTests
{
    private static readonly Func<string, string?> NoEnvironment = _ => null;

    [Fact]
    public void Parse_CheckAnywhere_RemovedFromHostArgs()
    {
        var parsed = GatewayCommandLine.Parse(["--urls", "http://127.0.0.1:0", "--check", "--Gateway:Demo:Enabled=false"], NoEnvironment);

        Assert.True(parsed.Check);
        Assert.Equal(["--urls", "http://127.0.0.1:0", "--Gateway:Demo:Enabled=false"], parsed.HostArgs);
    }

    [Theory]
    [InlineData("--config", "gw.json")]
    [InlineData("--config=gw.json", null)]
    public void Parse_ConfigForms_PathTakenAndRemoved(string first, string? second)
    {
        string[] args = second is null ? [first, "--check"] : [first, second, "--check"];

        var parsed = GatewayCommandLine.Parse(args, NoEnvironment);

        Assert.Equal("gw.json", parsed.ConfigPath);
        Assert.Empty(parsed.HostArgs);
    }

    [Fact]
    public void Parse_NoConfigArgument_EnvironmentVariableUsed()
    {
        var parsed = GatewayCommandLine.Parse([], name => name == "GATEWAY_CONFIG" ? "/etc/gateway/gateway.json" : null);

        Assert.Equal("/etc/gateway/gateway.json", parsed.ConfigPath);
    }

    [Fact]
    public void Parse_ConfigArgumentAndEnvironment_ArgumentWins()
    {
        var parsed = GatewayCommandLine.Parse(["--config", "mine.json"], _ => "env.json");

        Assert.Equal("mine.json", parsed.ConfigPath);
    }

    [Theory]
    [InlineData("--config")]
    [InlineData("--config", "--check")]
    public void Parse_ConfigWithoutPath_ClearError(params string[] args)
    {
        var error = Assert.Throws<InvalidConfigurationException>(() => GatewayCommandLine.Parse(args, NoEnvironment));

        Assert.Contains("--config needs a file path", error.Message);
    }
}
