using Gateway.Configuration;

namespace Gateway.Tests.Configuration;

public sealed class GatewayOptionsValidatorTests
{
    [Theory]
    [InlineData("10.0.0.1")]
    [InlineData("10.0.0.0/8")]
    [InlineData("2001:db8::/32")]
    [InlineData("::ffff:10.0.0.1")]
    public void TryParseEntry_AddressesAndRanges_Accepted(string entry) => Assert.True(TrustedProxyList.TryParseEntry(entry, out _));

    [Theory]
    [InlineData("10.0.0.0/33")]
    [InlineData("proxy.internal")]
    [InlineData("")]
    public void TryParseEntry_Garbage_Refused(string entry) => Assert.False(TrustedProxyList.TryParseEntry(entry, out _));

    [Fact]
    public void Validate_BadTrustedProxyAndAdminUrl_EveryErrorReported()
    {
        var options = new GatewayOptions
        {
            ForwardedHeaders = { TrustedProxies = ["10.0.0.0/8", "nonsense"] },
            Admin = { Urls = "http://127.0.0.1:9901;ftp://x" },
            ShutdownTimeout = TimeSpan.FromSeconds(-1),
        };

        var result = new GatewayOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Equal(3, result.Failures!.Count());
        Assert.Contains(result.Failures!, f => f.Contains("'nonsense'", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.Contains("'ftp://x'", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_Defaults_Valid() => Assert.True(new GatewayOptionsValidator().Validate(null, new GatewayOptions()).Succeeded);
}
