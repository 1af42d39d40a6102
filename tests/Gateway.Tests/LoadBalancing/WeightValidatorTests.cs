using Gateway.LoadBalancing;
using Yarp.ReverseProxy.Configuration;

namespace Gateway.Tests.LoadBalancing;

public sealed class WeightValidatorTests
{
    [Theory]
    [InlineData(null, 1)]
    [InlineData("0", 0)]
    [InlineData("1", 1)]
    [InlineData("256", 256)]
    public void TryParse_ValidWeights_Parsed(string? text, int expected)
    {
        Assert.True(DestinationWeight.TryParse(text, out var weight));
        Assert.Equal(expected, weight);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("257")]
    [InlineData("abc")]
    [InlineData("1.5")]
    [InlineData("")]
    [InlineData(" 2")]
    [InlineData("99999999999")]
    public void TryParse_InvalidWeights_Refused(string text) => Assert.False(DestinationWeight.TryParse(text, out _));

    [Fact]
    public async Task ValidateAsync_InvalidWeight_ErrorNamesClusterAndDestination()
    {
        var cluster = new ClusterConfig
        {
            ClusterId = "shop",
            Destinations = new Dictionary<string, DestinationConfig>
            {
                ["ok"] = new() { Address = "http://127.0.0.1:1/", Metadata = new Dictionary<string, string> { ["Weight"] = "3" } },
                ["bad"] = new() { Address = "http://127.0.0.1:2/", Metadata = new Dictionary<string, string> { ["Weight"] = "-1" } },
            },
        };
        var errors = new List<Exception>();

        await new WeightValidator().ValidateAsync(cluster, errors);

        var error = Assert.Single(errors);
        Assert.Contains("'shop'", error.Message);
        Assert.Contains("'bad'", error.Message);
        Assert.Contains("'-1'", error.Message);
    }

    [Fact]
    public async Task ValidateAsync_NoMetadata_NoError()
    {
        var cluster = new ClusterConfig
        {
            ClusterId = "shop",
            Destinations = new Dictionary<string, DestinationConfig> { ["a"] = new() { Address = "http://127.0.0.1:1/" } },
        };
        var errors = new List<Exception>();

        await new WeightValidator().ValidateAsync(cluster, errors);

        Assert.Empty(errors);
    }

    [Fact]
    public void Of_SameModel_ParsedValueReused()
    {
        var destination = PolicyTestData.Destination("a", 7);

        Assert.Equal(7, DestinationWeight.Of(destination));
        Assert.Equal(7, DestinationWeight.Of(destination.Model));
        Assert.Equal(1, DestinationWeight.Of(PolicyTestData.Destination("b")));
    }
}
