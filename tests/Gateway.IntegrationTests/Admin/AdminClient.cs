using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Gateway.IntegrationTests.Admin;

/// <summary>Calls the admin listener's API the way an operator's script would.</summary>
internal static class AdminClient
{
    public const string Token = "test-admin-token";

    public static async Task<JsonElement> GetStateAsync(this HttpClient admin)
    {
        using var response = await admin.GetAsync("/api/state");
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).Clone();
    }

    public static async Task<JsonElement> GetDestinationAsync(this HttpClient admin, string clusterId, string destinationId)
    {
        var state = await admin.GetStateAsync();
        return state.GetProperty("clusters").EnumerateArray().Single(c => c.GetProperty("id").GetString() == clusterId)
            .GetProperty("destinations").EnumerateArray().Single(d => d.GetProperty("id").GetString() == destinationId);
    }

    public static Task<HttpResponseMessage> PutStateAsync(this HttpClient admin, string clusterId, string destinationId, string body, string? token = Token)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, $"/api/clusters/{clusterId}/destinations/{destinationId}/state")
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return admin.SendAsync(request);
    }

    public static async Task SetStateAsync(this HttpClient admin, string clusterId, string destinationId, string state)
    {
        using var response = await admin.PutStateAsync(clusterId, destinationId, $$"""{"state":"{{state}}"}""");
        Assert.True(response.IsSuccessStatusCode, $"PUT {state} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }
}

/// <summary>Waits for a condition on real sockets: polls with a deadline, never asserts on a fixed sleep.</summary>
internal static class Poll
{
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting until {what}.");
            }

            await Task.Delay(100);
        }
    }
}
