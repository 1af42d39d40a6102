using Gateway.Reliability;
using Yarp.ReverseProxy.Configuration;

namespace Gateway.Tests.Reliability;

public sealed class ReliabilityMetadataValidatorTests
{
    [Theory]
    [InlineData(null, 2)]
    [InlineData("0", 0)]
    [InlineData("5", 5)]
    [InlineData("100", 100)]
    public void TryParseCount_ValidCounts_Parsed(string? text, int expected)
    {
        Assert.True(RetrySettings.TryParseCount(text, out var count));
        Assert.Equal(expected, count);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("101")]
    [InlineData("two")]
    [InlineData("1.5")]
    [InlineData("")]
    public void TryParseCount_InvalidCounts_Refused(string text) => Assert.False(RetrySettings.TryParseCount(text, out _));

    [Theory]
    [InlineData(null, 5.0)]
    [InlineData("00:00:00.250", 0.25)]
    [InlineData("00:01:00", 60.0)]
    public void TryParseQueueTimeout_Valid_Parsed(string? text, double seconds)
    {
        Assert.True(DestinationLimits.TryParseQueueTimeout(text, out var timeout));
        Assert.Equal(TimeSpan.FromSeconds(seconds), timeout);
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("-00:00:01")]
    [InlineData("5 seconds")]
    public void TryParseQueueTimeout_Invalid_Refused(string text) => Assert.False(DestinationLimits.TryParseQueueTimeout(text, out _));

    [Fact]
    public async Task ValidateAsync_ValidMetadata_NoErrors()
    {
        var errors = await ValidateAsync(
            new Dictionary<string, string> { ["Retry.Count"] = "0", ["Retry.NonIdempotent"] = "True", ["QueueTimeout"] = "00:00:02" },
            new Dictionary<string, string> { ["MaxConnections"] = "10", ["MaxQueue"] = "0" });

        Assert.Empty(errors);
    }

    [Fact]
    public async Task ValidateAsync_InvalidMetadata_EveryErrorNamesClusterAndDestination()
    {
        var errors = await ValidateAsync(
            new Dictionary<string, string> { ["Retry.Count"] = "-1", ["Retry.NonIdempotent"] = "yes", ["QueueTimeout"] = "0" },
            new Dictionary<string, string> { ["MaxConnections"] = "0", ["MaxQueue"] = "-5" });

        Assert.Equal(
            [
                "Cluster 'shop': Retry.Count '-1' is invalid; it must be a whole number from 0 to 100 (default 2, 0 turns retries off).",
                "Cluster 'shop': Retry.NonIdempotent 'yes' is invalid; it must be true or false (default false).",
                "Cluster 'shop': QueueTimeout '0' is invalid; it must be a positive TimeSpan such as 00:00:05 (the default).",
                "Cluster 'shop', destination 'd1': MaxConnections '0' is invalid; it must be a whole number of at least 1 (leave it out for no limit).",
                "Cluster 'shop', destination 'd1': MaxQueue '-5' is invalid; it must be a whole number of at least 0 (leave it out for no limit).",
            ],
            errors);
    }

    [Fact]
    public async Task ValidateAsync_MaxQueueWithoutMaxConnections_Refused()
    {
        var errors = await ValidateAsync(null, new Dictionary<string, string> { ["MaxQueue"] = "10" });

        Assert.Equal(["Cluster 'shop', destination 'd1': MaxQueue has no effect without MaxConnections; set both or neither."], errors);
    }

    private static async Task<string[]> ValidateAsync(Dictionary<string, string>? clusterMetadata, Dictionary<string, string> destinationMetadata)
    {
        var cluster = new ClusterConfig
        {
            ClusterId = "shop",
            Metadata = clusterMetadata,
            Destinations = new Dictionary<string, DestinationConfig>
            {
                ["d1"] = new() { Address = "http://127.0.0.1:1/", Metadata = destinationMetadata },
            },
        };
        var errors = new List<Exception>();
        await new ReliabilityMetadataValidator().ValidateAsync(cluster, errors);
        return errors.Select(e => e.Message).ToArray();
    }
}
