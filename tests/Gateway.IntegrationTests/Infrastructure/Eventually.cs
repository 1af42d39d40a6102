namespace Gateway.IntegrationTests.Infrastructure;

/// <summary>Polls a condition until it holds or a deadline passes; for effects that are asynchronous by design.</summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            if (await condition())
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting until {what}.");
            }

            await Task.Delay(50);
        }
    }

    public static Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
        => TrueAsync(() => Task.FromResult(condition()), what, timeout);
}
