using Gateway.Health;
using Yarp.ReverseProxy.Configuration;

namespace Gateway.Tests.Health;

public sealed class HealthSettingsTests
{
    [Fact]
    public void Parse_NoMetadata_Defaults()
    {
        var errors = new List<string>();
        var settings = HealthSettings.Parse(new ClusterConfig { ClusterId = "web" }, errors);

        Assert.Empty(errors);
        Assert.Equal(2, settings.Rise);
        Assert.Equal(3, settings.Fall);
        Assert.Equal("200-399", settings.ExpectedStatus.ToString());
        Assert.Equal(TimeSpan.Zero, settings.SlowStart);
        Assert.Equal(5, settings.ConsecutiveFailures);
        Assert.Equal(50, settings.MaxEjectionPercent);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.BaseEjectionTime);
    }

    [Fact]
    public void Parse_AllSet_ReadsThem()
    {
        var cluster = new ClusterConfig
        {
            ClusterId = "web",
            HealthCheck = new HealthCheckConfig { Passive = new PassiveHealthCheckConfig { ReactivationPeriod = TimeSpan.FromSeconds(10) } },
            Metadata = new Dictionary<string, string>
            {
                ["RiseFall.Rise"] = "4",
                ["RiseFall.Fall"] = "1",
                ["RiseFall.ExpectedStatus"] = "200,204",
                ["RiseFall.SlowStart"] = "00:00:30",
                ["OutlierDetection.ConsecutiveFailures"] = "7",
                ["OutlierDetection.MaxEjectionPercent"] = "100",
            },
        };
        var errors = new List<string>();

        var settings = HealthSettings.Parse(cluster, errors);

        Assert.Empty(errors);
        Assert.Equal((4, 1, "200,204", TimeSpan.FromSeconds(30), 7, 100, TimeSpan.FromSeconds(10)),
            (settings.Rise, settings.Fall, settings.ExpectedStatus.ToString(), settings.SlowStart, settings.ConsecutiveFailures, settings.MaxEjectionPercent, settings.BaseEjectionTime));
    }

    [Theory]
    [InlineData("RiseFall.Rise", "0")]
    [InlineData("RiseFall.Rise", "-1")]
    [InlineData("RiseFall.Rise", "101")]
    [InlineData("RiseFall.Rise", "two")]
    [InlineData("RiseFall.Fall", "0")]
    [InlineData("RiseFall.Fall", "1.5")]
    [InlineData("RiseFall.ExpectedStatus", "2xx")]
    [InlineData("RiseFall.ExpectedStatus", "399-200")]
    [InlineData("RiseFall.SlowStart", "soon")]
    [InlineData("RiseFall.SlowStart", "-00:00:10")]
    [InlineData("RiseFall.SlowStart", "30")]
    [InlineData("OutlierDetection.ConsecutiveFailures", "0")]
    [InlineData("OutlierDetection.ConsecutiveFailures", "")]
    [InlineData("OutlierDetection.MaxEjectionPercent", "101")]
    [InlineData("OutlierDetection.MaxEjectionPercent", "50%")]
    public async Task Validator_InvalidValue_OneErrorNamingClusterKeyAndValue(string key, string value)
    {
        var cluster = new ClusterConfig { ClusterId = "shop", Metadata = new Dictionary<string, string> { [key] = value } };
        var errors = new List<Exception>();

        await new HealthSettingsValidator().ValidateAsync(cluster, errors);

        var error = Assert.Single(errors);
        Assert.Contains("Cluster 'shop'", error.Message);
        Assert.Contains(key, error.Message);
        Assert.Contains($"'{value}'", error.Message);
    }

    [Fact]
    public async Task Validator_SeveralInvalidValues_ReportsEach()
    {
        var cluster = new ClusterConfig
        {
            ClusterId = "shop",
            Metadata = new Dictionary<string, string> { ["RiseFall.Rise"] = "0", ["RiseFall.Fall"] = "x", ["OutlierDetection.MaxEjectionPercent"] = "200" },
        };
        var errors = new List<Exception>();

        await new HealthSettingsValidator().ValidateAsync(cluster, errors);

        Assert.Equal(3, errors.Count);
    }

    [Fact]
    public async Task Validator_ValidValues_NoError()
    {
        var cluster = new ClusterConfig
        {
            ClusterId = "shop",
            Metadata = new Dictionary<string, string>
            {
                ["RiseFall.Rise"] = "1", ["RiseFall.Fall"] = "100", ["RiseFall.ExpectedStatus"] = "200-299,404",
                ["RiseFall.SlowStart"] = "01:00:00", ["OutlierDetection.ConsecutiveFailures"] = "1", ["OutlierDetection.MaxEjectionPercent"] = "0",
                ["Weight"] = "ignored-here",
            },
        };
        var errors = new List<Exception>();

        await new HealthSettingsValidator().ValidateAsync(cluster, errors);

        Assert.Empty(errors);
    }
}
