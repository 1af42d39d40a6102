using System.Text;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Gateway.Reliability;

/// <summary>
/// Makes Kestrel refuse a <c>Content-Length</c> that is not only digits (RFC 9110 section 8.6: <c>1*DIGIT</c>),
/// as HAProxy and nginx do. Kestrel's own parser accepts a sign (<c>+4</c>, <c>-0</c>) and hands the application
/// only the number, so no middleware can tell. Its one hook into the raw bytes of that header is the request
/// header encoding selector: when it returns an encoding for <c>Content-Length</c>, Kestrel decodes the value with
/// it and parses the characters; <see cref="DigitsOnlyEncoding"/> turns every byte that is not a digit into a
/// character no number contains, so Kestrel itself answers 400 and closes the connection before any request
/// exists. Every other header keeps Kestrel's default decoding (a <see langword="null"/> encoding).
/// </summary>
internal sealed class StrictContentLength : IConfigureOptions<KestrelServerOptions>
{
    public void Configure(KestrelServerOptions options) => options.RequestHeaderEncodingSelector = SelectEncoding;

    internal static Encoding? SelectEncoding(string headerName) =>
        string.Equals(headerName, HeaderNames.ContentLength, StringComparison.OrdinalIgnoreCase) ? DigitsOnlyEncoding.Instance : null;
}

/// <summary>
/// Decodes ASCII digits as themselves and every other byte as U+FFFD, which makes any value that is not
/// <c>1*DIGIT</c> fail to parse as a number (a sign, white space and NUL included, which <see cref="long.TryParse(string?, out long)"/>
/// would otherwise skip or accept). Decoding only: this encoding is never used to write.
/// </summary>
internal sealed class DigitsOnlyEncoding : Encoding
{
    public static readonly DigitsOnlyEncoding Instance = new();

    private const char NotADigit = '\uFFFD';

    public override int GetChars(ReadOnlySpan<byte> bytes, Span<char> chars)
    {
        // Kestrel hands a 20-character buffer (long.MaxValue has 19 digits) and refuses more than 19 characters,
        // so a longer value is reported as one character too many rather than as an exception.
        if (bytes.Length > chars.Length)
        {
            chars.Fill(NotADigit);
            return chars.Length;
        }

        for (var i = 0; i < bytes.Length; i++)
        {
            chars[i] = char.IsAsciiDigit((char)bytes[i]) ? (char)bytes[i] : NotADigit;
        }

        return bytes.Length;
    }

    public override int GetChars(byte[] bytes, int byteIndex, int byteCount, char[] chars, int charIndex) =>
        GetChars(bytes.AsSpan(byteIndex, byteCount), chars.AsSpan(charIndex));

    public override int GetCharCount(byte[] bytes, int index, int count) => count;

    public override int GetMaxCharCount(int byteCount) => byteCount;

    public override int GetByteCount(char[] chars, int index, int count) => throw new NotSupportedException();

    public override int GetBytes(char[] chars, int charIndex, int charCount, byte[] bytes, int byteIndex) => throw new NotSupportedException();

    public override int GetMaxByteCount(int charCount) => throw new NotSupportedException();
}
