using System.Globalization;
using System.Text;
using Gateway.Reliability;
using Microsoft.Net.Http.Headers;

namespace Gateway.Tests.Reliability;

public sealed class StrictContentLengthTests
{
    [Theory]
    [InlineData("0", 0L)]
    [InlineData("4", 4L)]
    [InlineData("0004", 4L)]
    [InlineData("9223372036854775807", long.MaxValue)]
    public void Digits_ParseAsKestrelParsesThem(string value, long expected)
    {
        Assert.True(ParseAsKestrel(value, out var parsed));
        Assert.Equal(expected, parsed);
    }

    [Theory]
    [InlineData("+4")]
    [InlineData("-0")]
    [InlineData("-4")]
    [InlineData(" 4")]
    [InlineData("4 ")]
    [InlineData("4\t")]
    [InlineData("\v4")]
    [InlineData("4\0")]
    [InlineData("0x4")]
    [InlineData("4,4")]
    [InlineData("")]
    [InlineData("\u0664")]
    [InlineData("00000000000000000004")]
    [InlineData("9223372036854775808")]
    public void AnythingButDigits_FailsToParse(string value)
    {
        Assert.False(ParseAsKestrel(value, out _));
    }

    [Fact]
    public void SignedValue_WithoutTheEncoding_KestrelsDefaultParserAcceptsIt()
    {
        // Why the encoding exists: the parser Kestrel uses by default reads a sign.
        Assert.True(System.Buffers.Text.Utf8Parser.TryParse("+4"u8, out long parsed, out var consumed));
        Assert.Equal((4L, 2), (parsed, consumed));
    }

    [Theory]
    [InlineData("Content-Length")]
    [InlineData("content-length")]
    public void Selector_ContentLength_GetsTheDigitsOnlyEncoding(string name)
    {
        Assert.Same(DigitsOnlyEncoding.Instance, StrictContentLength.SelectEncoding(name));
    }

    [Theory]
    [InlineData("Host")]
    [InlineData("Content-Type")]
    [InlineData("X-Custom")]
    public void Selector_OtherHeaders_KeepKestrelsDefault(string name)
    {
        Assert.Null(StrictContentLength.SelectEncoding(name));
    }

    [Fact]
    public void Selector_InstalledOnKestrel()
    {
        var options = new Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions();
        new StrictContentLength().Configure(options);
        Assert.Same(DigitsOnlyEncoding.Instance, options.RequestHeaderEncodingSelector(HeaderNames.ContentLength));
    }

    /// <summary>What Kestrel does with a Content-Length value when an encoding is selected for it.</summary>
    private static bool ParseAsKestrel(string value, out long parsed)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        Span<char> decoded = stackalloc char[20];
        var count = DigitsOnlyEncoding.Instance.GetChars(bytes, decoded);
        parsed = -1;
        return count <= 19
            && long.TryParse(decoded[..count], NumberStyles.Integer, CultureInfo.InvariantCulture, out parsed)
            && parsed >= 0;
    }
}
