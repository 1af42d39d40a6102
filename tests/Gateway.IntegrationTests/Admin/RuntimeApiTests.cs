using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.IntegrationTests.Admin;

public sealed class RuntimeApiTests
{
    private static readonly Dictionary<string, string?> s_withToken = new() { ["Gateway:Admin:Token"] = AdminClient.Token };

    [Fact]
    public async Task PutState_ValidToken_Answers200WithNewStateAndLogsWhoChangedWhat()
    {
        await using var backend = await TestBackend.StartAsync("a");
        var logs = new CapturedLogs();
        using var gateway = new GatewayFactory(AdminConfigs.Cluster([backend]), s_withToken)
        {
            ConfigureTestServices = services => services.AddSingleton<ILoggerProvider>(logs),
        };
        using var admin = gateway.CreateAdminClient();

        using var response = await admin.PutStateAsync("web", "a", """{"state":"drain"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("web", body.GetProperty("clusterId").GetString());
        Assert.Equal("a", body.GetProperty("id").GetString());
        Assert.Equal("drain", body.GetProperty("state").GetString());
        Assert.Equal("drain", body.GetProperty("adminState").GetString());
        Assert.Equal("ready", body.GetProperty("previousState").GetString());
        Assert.Equal("drain", (await admin.GetDestinationAsync("web", "a")).GetProperty("adminState").GetString());
        // Serilog renders string properties quoted ("web"/"a"); the words matter, not the quoting.
        Assert.Contains(logs.Entries.Select(e => (e.Level, Message: e.Message.Replace("\"", string.Empty, StringComparison.Ordinal))), e => e.Level >= LogLevel.Information
            && e.Message.Contains("web/a", StringComparison.Ordinal)
            && e.Message.Contains("from ready to drain", StringComparison.Ordinal)
            && e.Message.Contains("127.0.0.1", StringComparison.Ordinal));

        await admin.SetStateAsync("web", "a", "maint");
        await admin.SetStateAsync("web", "a", "ready");
        Assert.Equal("ready", (await admin.GetDestinationAsync("web", "a")).GetProperty("adminState").GetString());
    }

    [Fact]
    public async Task PutState_IdsInOtherCase_AppliesToConfiguredDestination()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        using var gateway = new GatewayFactory(AdminConfigs.Cluster([a, b]), s_withToken);
        using var admin = gateway.CreateAdminClient();
        using var client = gateway.CreatePublicClient();

        using var response = await admin.PutStateAsync("WEB", "A", """{"state":"maint"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("maint", (await admin.GetDestinationAsync("web", "a")).GetProperty("adminState").GetString());
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal("b", await client.GetStringAsync("/"));
        }
    }

    [Fact]
    public async Task PutState_NoTokenConfigured_Answers403()
    {
        await using var backend = await TestBackend.StartAsync("a");
        using var gateway = new GatewayFactory(AdminConfigs.Cluster([backend]));
        using var admin = gateway.CreateAdminClient();

        using var response = await admin.PutStateAsync("web", "a", """{"state":"drain"}""");

        var error = await AssertErrorAsync(response, HttpStatusCode.Forbidden);
        Assert.Contains("Gateway:Admin:Token", error);
        Assert.Equal("ready", (await admin.GetDestinationAsync("web", "a")).GetProperty("adminState").GetString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-token")]
    [InlineData("test-admin-toke")]
    [InlineData("test-admin-token-and-more")]
    public async Task PutState_MissingOrWrongToken_Answers401(string? token)
    {
        await using var backend = await TestBackend.StartAsync("a");
        using var gateway = new GatewayFactory(AdminConfigs.Cluster([backend]), s_withToken);
        using var admin = gateway.CreateAdminClient();

        using var response = await admin.PutStateAsync("web", "a", """{"state":"drain"}""", token);

        await AssertErrorAsync(response, HttpStatusCode.Unauthorized);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal("ready", (await admin.GetDestinationAsync("web", "a")).GetProperty("adminState").GetString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("""{"state":"up"}""")]
    [InlineData("""{"state":3}""")]
    [InlineData("""{}""")]
    [InlineData("""[]""")]
    public async Task PutState_BadBody_Answers400(string body)
    {
        await using var backend = await TestBackend.StartAsync("a");
        using var gateway = new GatewayFactory(AdminConfigs.Cluster([backend]), s_withToken);
        using var admin = gateway.CreateAdminClient();

        using var response = await admin.PutStateAsync("web", "a", body);

        var error = await AssertErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("ready", error);
    }

    [Theory]
    [InlineData("nope", "a", "cluster 'nope'")]
    [InlineData("web", "nope", "destination 'nope'")]
    public async Task PutState_UnknownClusterOrDestination_Answers404(string clusterId, string destinationId, string named)
    {
        await using var backend = await TestBackend.StartAsync("a");
        using var gateway = new GatewayFactory(AdminConfigs.Cluster([backend]), s_withToken);
        using var admin = gateway.CreateAdminClient();

        using var response = await admin.PutStateAsync(clusterId, destinationId, """{"state":"drain"}""");

        var error = await AssertErrorAsync(response, HttpStatusCode.NotFound);
        Assert.Contains(named, error);
    }

    private static async Task<string> AssertErrorAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)expected, body.GetProperty("status").GetInt32());
        var error = body.GetProperty("error").GetString();
        Assert.False(string.IsNullOrWhiteSpace(error));
        return error!;
    }
}
