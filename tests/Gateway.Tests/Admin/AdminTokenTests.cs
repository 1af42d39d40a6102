using Gateway.Admin;
using Microsoft.Extensions.Primitives;

namespace Gateway.Tests.Admin;

public sealed class AdminTokenTests
{
    [Theory]
    [InlineData("Bearer s3cret")]
    [InlineData("bearer s3cret")]
    [InlineData("Bearer  s3cret ")]
    public void Check_MatchingBearer_Valid(string header)
        => Assert.Equal(TokenCheck.Valid, AdminToken.Check("s3cret", new StringValues(header)));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Check_NoConfiguredToken_NotConfigured(string? configured)
        => Assert.Equal(TokenCheck.NotConfigured, AdminToken.Check(configured, new StringValues("Bearer s3cret")));

    [Theory]
    [InlineData(null)]
    [InlineData("s3cret")]
    [InlineData("Basic czNjcmV0")]
    public void Check_NoBearerHeader_Missing(string? header)
        => Assert.Equal(TokenCheck.Missing, AdminToken.Check("s3cret", new StringValues(header)));

    [Theory]
    [InlineData("Bearer s3cre")]
    [InlineData("Bearer s3cret2")]
    [InlineData("Bearer S3CRET")]
    [InlineData("Bearer ")]
    public void Check_OtherToken_Invalid(string header)
        => Assert.Equal(TokenCheck.Invalid, AdminToken.Check("s3cret", new StringValues(header)));

    [Fact]
    public void Check_TwoAuthorizationHeaders_Missing()
        => Assert.Equal(TokenCheck.Missing, AdminToken.Check("s3cret", new StringValues(["Bearer s3cret", "Bearer s3cret"])));
}
