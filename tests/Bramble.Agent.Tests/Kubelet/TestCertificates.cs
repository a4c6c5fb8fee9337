using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Bramble.Agent.Tests.Kubelet;

/// <summary>Self-signed certificates made by the test, written as kubeadm writes kubelet-client-current.pem (certificate, then key).</summary>
internal static class TestCertificates
{
    public static DateTimeOffset WritePem(string path, DateTimeOffset notBefore, DateTimeOffset notAfter, bool withKey = true)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=system:node:pi-1, O=system:nodes", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(notBefore, notAfter);
        var pem = certificate.ExportCertificatePem() + "\n" + (withKey ? key.ExportECPrivateKeyPem() + "\n" : string.Empty);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, pem);

        // X.509 keeps whole seconds.
        return new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
    }
}
