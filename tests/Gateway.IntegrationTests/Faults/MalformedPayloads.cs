namespace Gateway.IntegrationTests.Faults;

/// <summary>
/// Request smuggling and malformed HTTP/1.1, each aimed at a backend path <c>/smuggled</c> that a correct
/// front end never forwards. Every one must be refused with 400, 413, 414 or 431 and the connection
/// closed; for Content-Length with Transfer-Encoding, chunked framing followed by closing the
/// connection is also correct (RFC 9112 section 6.1).
/// </summary>
public static class MalformedPayloads
{
    public const string SmuggledPath = "/smuggled";

    private const string Smuggled = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";

    public static readonly IReadOnlyList<(string Name, string Payload)> All =
    [
        ("CL.TE", "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + Smuggled),
        ("TE.CL", $"POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n{Smuggled.Length:x}\r\n{Smuggled}\r\n0\r\n\r\n"),
        ("duplicate Content-Length", "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nContent-Length: 40\r\n\r\nabcd" + Smuggled),
        ("Content-Length list", "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 4, 40\r\n\r\nabcd" + Smuggled),
        ("Content-Length +4", "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: +4\r\n\r\nabcd" + Smuggled),
        ("Content-Length -0", "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: -0\r\n\r\n" + Smuggled),
        ("obs-fold", "GET /a HTTP/1.1\r\nHost: x\r\nX-Folded: one\r\n two\r\n\r\n"),
        ("obs-fold Transfer-Encoding", "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n" + Smuggled),
        ("Transfer-Encoding xchunked", "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n" + Smuggled),
        ("Transfer-Encoding chunked, identity", "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n" + Smuggled),
        ("Transfer-Encoding identity", "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity\r\nContent-Length: 4\r\n\r\nabcd" + Smuggled),
        ("Transfer-Encoding twice", "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n" + Smuggled),
        ("space before colon", "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n" + Smuggled),
        ("Transfer-Encoding in HTTP/1.0", "POST /a HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + Smuggled),
        ("chunk size not hex", "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabcd\r\n0\r\n\r\n" + Smuggled),
        ("chunk size negative", "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\nabcd\r\n0\r\n\r\n" + Smuggled),
        ("chunk size overflow", "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000001\r\nabcd\r\n0\r\n\r\n" + Smuggled),
        ("chunk size 0x prefix", "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0x4\r\nabcd\r\n0\r\n\r\n" + Smuggled),
        ("chunk data longer than size", "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabcd\r\n0\r\n\r\n" + Smuggled),
        ("bare LF in headers", "GET /a HTTP/1.1\nHost: x\n\n"),
        ("bare LF after header", "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 4\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + Smuggled),
        ("bare CR in header", "GET /a HTTP/1.1\r\nHost: x\r\nX-A: b\rX-B: c\r\n\r\n"),
        ("NUL in header value", "GET /a HTTP/1.1\r\nHost: x\r\nX-A: b\0c\r\n\r\n"),
        ("space in header name", "GET /a HTTP/1.1\r\nHost: x\r\nX A: b\r\n\r\n"),
        ("missing Host", "GET /a HTTP/1.1\r\n\r\n"),
        ("two Host headers", "GET /a HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n"),
        ("oversize request line", $"GET /{new string('a', 70 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n"),
        ("oversize header", $"GET /a HTTP/1.1\r\nHost: x\r\nX-Big: {new string('a', 70 * 1024)}\r\n\r\n"),
        ("too many headers", "GET /a HTTP/1.1\r\nHost: x\r\n" + string.Concat(Enumerable.Range(0, 200).Select(i => $"X-H{i}: v\r\n")) + "\r\n"),
        ("oversize body", "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000000\r\n\r\nabcd"),
    ];

    /// <summary>Statuses that refuse the request for a reason of the client's.</summary>
    public static bool IsRejection(int? status) => status is 400 or 413 or 414 or 431;
}
