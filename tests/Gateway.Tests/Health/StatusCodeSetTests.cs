using Gateway.Health;

namespace Gateway.Tests.Health;

public sealed class StatusCodeSetTests
{
    [Theory]
    [InlineData("200-399", 200, true)]
    [InlineData("200-399", 399, true)]
    [InlineData("200-399", 400, false)]
    [InlineData("200-399", 199, false)]
    [InlineData("200", 200, true)]
    [InlineData("200", 204, false)]
    [InlineData("200, 204 ,300-302", 204, true)]
    [InlineData("200,204,300-302", 301, true)]
    [InlineData("200,204,300-302", 303, false)]
    [InlineData("503", 503, true)]
    public void TryParse_CodesAndRanges_ContainsExactlyThem(string text, int status, bool expected)
    {
        Assert.True(StatusCodeSet.TryParse(text, out var set));
        Assert.Equal(expected, set.Contains(status));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("abc")]
    [InlineData("200-")]
    [InlineData("-200")]
    [InlineData("399-200")]
    [InlineData("99")]
    [InlineData("600")]
    [InlineData("200,,204")]
    [InlineData("2xx")]
    [InlineData("+200")]
    public void TryParse_Invalid_ReturnsFalse(string text)
        => Assert.False(StatusCodeSet.TryParse(text, out _));

    [Fact]
    public void Default_Is200To399()
    {
        Assert.Equal("200-399", StatusCodeSet.Default.ToString());
        Assert.True(StatusCodeSet.Default.Contains(302));
        Assert.False(StatusCodeSet.Default.Contains(404));
    }
}
