using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Gateway.IntegrationTests.Faults;

/// <summary>What a server did with raw bytes: the status of each response it sent and whether it closed the connection.</summary>
public sealed record RawOutcome(IReadOnlyList<int> Statuses, bool Closed, string Text)
{
    public int? FirstStatus => Statuses.Count > 0 ? Statuses[0] : null;

    public string Describe()
        => (Statuses.Count == 0 ? "no response" : string.Join("+", Statuses)) + (Closed ? ", closed" : ", kept open");
}

/// <summary>Sends bytes over a plain TCP connection, bypassing every HTTP client's own validation.</summary>
public static class RawHttp
{
    /// <summary>
    /// Sends the payload and reads until the server closes the connection or, once it has answered, stays
    /// silent for <paramref name="idle"/>. A connection still open then counts as kept open. A server that
    /// says nothing at all is given 5 s, so that a slow first request is not mistaken for silence.
    /// </summary>
    public static async Task<RawOutcome> SendAsync(Uri server, byte[] payload, TimeSpan? idle = null)
    {
        idle ??= TimeSpan.FromSeconds(1);
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(server.Host, server.Port);
        try
        {
            await socket.SendAsync(payload, SocketFlags.None);
        }
        catch (SocketException)
        {
            // The server may reject and close before the whole payload is sent (an oversize one); read what it said.
        }

        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        var closed = false;
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(15))
        {
            using var wait = new CancellationTokenSource(received.Length == 0 ? TimeSpan.FromSeconds(5) : idle.Value);
            int read;
            try
            {
                read = await socket.ReceiveAsync(buffer, SocketFlags.None, wait.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (SocketException)
            {
                closed = true;
                break;
            }

            if (read == 0)
            {
                closed = true;
                break;
            }

            received.Write(buffer, 0, read);
        }

        var text = Encoding.Latin1.GetString(received.ToArray());
        return new RawOutcome(ParseStatuses(text), closed, text);
    }

    public static byte[] Bytes(string text) => Encoding.Latin1.GetBytes(text);

    private static List<int> ParseStatuses(string text)
    {
        var statuses = new List<int>();
        var at = 0;
        while ((at = text.IndexOf("HTTP/1.", at, StringComparison.Ordinal)) >= 0)
        {
            var lineStart = at == 0 || text[at - 1] == '\n';
            if (lineStart && at + 12 <= text.Length && int.TryParse(text.AsSpan(at + 9, 3), out var status))
            {
                statuses.Add(status);
            }

            at += 7;
        }

        return statuses;
    }
}
