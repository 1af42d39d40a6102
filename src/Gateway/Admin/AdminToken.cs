using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Primitives;

namespace Gateway.Admin;

internal enum TokenCheck
{
    Valid,
    NotConfigured,
    Missing,
    Invalid,
}

/// <summary><c>Authorization: Bearer TOKEN</c> against <c>Gateway:Admin:Token</c>.</summary>
internal static class AdminToken
{
    private const string Scheme = "Bearer ";

    /// <summary>
    /// Compares in constant time: both sides are hashed first, so neither the position of the first wrong
    /// character nor the token's length shows in how long the comparison takes.
    /// </summary>
    public static TokenCheck Check(string? configured, StringValues authorization)
    {
        if (string.IsNullOrEmpty(configured))
        {
            return TokenCheck.NotConfigured;
        }

        if (authorization.Count != 1
            || authorization[0] is not { } header
            || !header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return TokenCheck.Missing;
        }

        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(header.AsSpan(Scheme.Length).Trim().ToString()));
        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(configured));
        return CryptographicOperations.FixedTimeEquals(presented, expected) ? TokenCheck.Valid : TokenCheck.Invalid;
    }
}
