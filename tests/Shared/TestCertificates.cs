using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Bramble.Testing;

/// <summary>Self-signed certificates made in the test (ECDSA P-256: fast), written as PEM without their keys.</summary>
public static class TestCertificates
{
    public static string Pem(string subject, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(notAfter.AddDays(-365), notAfter);
        return certificate.ExportCertificatePem() + "\n";
    }

    /// <summary>Writes the certificate at <paramref name="path"/>, creating its directory.</summary>
    public static void Write(string path, string subject, DateTimeOffset notAfter)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, Pem(subject, notAfter));
    }

    /// <summary>A kubeconfig as kubeadm writes admin.conf, with the client certificate embedded (no key).</summary>
    public static string Kubeconfig(string clientPem) => $"""
        apiVersion: v1
        clusters:
        - cluster:
            server: https://127.0.0.1:6443
          name: kubernetes
        contexts:
        - context:
            cluster: kubernetes
            user: kubernetes-admin
          name: kubernetes-admin@kubernetes
        current-context: kubernetes-admin@kubernetes
        kind: Config
        users:
        - name: kubernetes-admin
          user:
            client-certificate-data: {Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(clientPem))}
        """;
}
