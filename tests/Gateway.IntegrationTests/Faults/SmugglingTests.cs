using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Faults;

/// <summary>Request smuggling and malformed input over raw sockets: refused, connection closed, nothing smuggled.</summary>
public sealed class SmugglingTests : IAsyncLifetime
{
    private TestBackend _backend = null!;
    private GatewayFactory _gateway = null!;
    private readonly List<string> _paths = [];

    public static TheoryData<string> Names => new(MalformedPayloads.All.Select(p => p.Name));

    public async Task InitializeAsync()
    {
        _backend = await TestBackend.StartAsync("backend");
        _backend.Handler = async context =>
        {
            lock (_paths)
            {
                _paths.Add(context.Request.Path.Value!);
            }

            await context.Request.Body.CopyToAsync(Stream.Null);
            await context.Response.WriteAsync("ok");
        };
        _gateway = new GatewayFactory(Configs.SingleCluster("RoundRobin", _backend));
        using var warmUp = _gateway.CreatePublicClient();
        (await warmUp.GetAsync("/warm-up")).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        _gateway.Dispose();
        await _backend.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Send_MalformedRequest_RefusedAndClosedAndNothingSmuggled(string name)
    {
        var payload = MalformedPayloads.All.Single(p => p.Name == name).Payload;

        var outcome = await RawHttp.SendAsync(_gateway.PublicAddress, RawHttp.Bytes(payload));

        var chunkedThenClosed = name is "CL.TE" or "TE.CL" && outcome.Statuses.Count == 1 && outcome.Closed;
        Assert.True(
            (MalformedPayloads.IsRejection(outcome.FirstStatus) && outcome.Closed) || chunkedThenClosed,
            $"{name}: {outcome.Describe()}\n{outcome.Text[..Math.Min(outcome.Text.Length, 400)]}");
        Assert.DoesNotContain(500, outcome.Statuses);
        await Task.Delay(100);
        lock (_paths)
        {
            Assert.DoesNotContain(MalformedPayloads.SmuggledPath, _paths);
        }
    }
}
