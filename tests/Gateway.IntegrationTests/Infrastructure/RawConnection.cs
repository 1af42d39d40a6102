using System.Net.Sockets;
using System.Text;

namespace Gateway.IntegrationTests.Infrastructure;

/// <summary>A plain TCP client for what HttpClient cannot send: PROXY headers, split writes, half-sent headers.</summary>
public sealed class RawConnection : IAsyncDisposable
{
    private static readonly TimeSpan s_readTimeout = TimeSpan.FromSeconds(30);

    private readonly TcpClient _client;
    private readonly NetworkStream _stream;

    private RawConnection(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
    }

    public static async Task<RawConnection> OpenAsync(Uri address)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(address.Host, address.Port);
        return new RawConnection(client);
    }

    public static string Get(string path = "/", string host = "gateway.test")
        => $"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n";

    public async Task SendAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    public Task SendAsync(string text) => SendAsync(Encoding.ASCII.GetBytes(text));

    /// <summary>Sends each piece in its own TCP segment, pausing between them so the server reads them apart.</summary>
    public async Task SendInPiecesAsync(byte[] bytes, int pieceLength)
    {
        foreach (var piece in bytes.Chunk(pieceLength))
        {
            await SendAsync(piece);
            await Task.Delay(20);
        }
    }

    public void EndSending() => _client.Client.Shutdown(SocketShutdown.Send);

    /// <summary>Everything the server sends until it closes; empty when it closed (or reset) without answering.</summary>
    public async Task<string> ReadToEndAsync()
    {
        using var timeout = new CancellationTokenSource(s_readTimeout);
        var received = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await _stream.ReadAsync(buffer, timeout.Token)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (IOException)
        {
        }

        return Encoding.ASCII.GetString(received.ToArray());
    }

    /// <summary>The body of one complete 200 response (chunked or not), or throws with what was received.</summary>
    public static string BodyOf(string response)
    {
        var split = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (!response.StartsWith("HTTP/1.1 200", StringComparison.Ordinal) || split < 0)
        {
            throw new InvalidOperationException($"Expected a 200 response, got: '{response}'");
        }

        var body = response[(split + 4)..];
        if (!response[..split].Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase))
        {
            return body;
        }

        var decoded = new StringBuilder();
        while (true)
        {
            var lineEnd = body.IndexOf("\r\n", StringComparison.Ordinal);
            var size = Convert.ToInt32(body[..lineEnd], 16);
            if (size == 0)
            {
                return decoded.ToString();
            }

            decoded.Append(body, lineEnd + 2, size);
            body = body[(lineEnd + 2 + size + 2)..];
        }
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
