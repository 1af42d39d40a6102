using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.IntegrationTests.Infrastructure;

/// <summary>
/// A self-signed certificate for localhost and 127.0.0.1, written as PEM certificate and key files for the
/// gateway's standard Kestrel <c>Certificates</c> settings, and trusted only by clients this class makes.
/// </summary>
public sealed class TestCertificate : IDisposable
{
    private readonly string _directory;

    private TestCertificate(X509Certificate2 certificate, string directory)
    {
        Certificate = certificate;
        _directory = directory;
        CertificatePath = Path.Combine(directory, "tls.crt");
        KeyPath = Path.Combine(directory, "tls.key");
    }

    public X509Certificate2 Certificate { get; }

    public string CertificatePath { get; }

    public string KeyPath { get; }

    /// <summary>The settings that make the gateway's public listener serve HTTPS with this certificate.</summary>
    public Dictionary<string, string?> GatewaySettings => new()
    {
        ["Urls"] = "https://127.0.0.1:0",
        ["Kestrel:Certificates:Default:Path"] = CertificatePath,
        ["Kestrel:Certificates:Default:KeyPath"] = KeyPath,
    };

    public static TestCertificate Create()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var now = DateTimeOffset.UtcNow;
        var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));

        var directory = Directory.CreateTempSubdirectory("gateway-tls-").FullName;
        var created = new TestCertificate(certificate, directory);
        File.WriteAllText(created.CertificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(created.KeyPath, key.ExportPkcs8PrivateKeyPem());
        return created;
    }

    /// <summary>Accepts exactly this certificate.</summary>
    public bool Validate(X509Certificate? presented)
        => presented is not null && presented.GetCertHashString() == Certificate.GetCertHashString();

    public SocketsHttpHandler CreateHandler() => new()
    {
        SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, presented, _, _) => Validate(presented) },
    };

    public void Dispose()
    {
        Certificate.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
