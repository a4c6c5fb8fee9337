using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Authentication;

/// <summary>
/// A cluster's certificates made by the real `bramble certs` (CA, node-a, node-b, a server certificate for 127.0.0.1
/// and localhost), a second CA with its own node-a, and an expired node-a certificate signed by the cluster CA.
/// </summary>
public sealed class ClusterPki : IDisposable
{
    private ClusterPki(TempDirectory cluster, TempDirectory other)
    {
        Cluster = cluster;
        Other = other;
    }

    public TempDirectory Cluster { get; }

    public TempDirectory Other { get; }

    public string Dir => Cluster.Path;

    public string File(string name) => System.IO.Path.Combine(Cluster.Path, name);

    public string OtherFile(string name) => System.IO.Path.Combine(Other.Path, name);

    public static async Task<ClusterPki> CreateAsync()
    {
        var pki = new ClusterPki(new TempDirectory(), new TempDirectory());
        await CertsAsync("init", "--dir", pki.Dir);
        await CertsAsync("node", "node-a", "--dir", pki.Dir);
        await CertsAsync("node", "node-b", "--dir", pki.Dir);
        await CertsAsync("server", "127.0.0.1", "localhost", "--dir", pki.Dir);
        await CertsAsync("init", "--dir", pki.Other.Path);
        await CertsAsync("node", "node-a", "--dir", pki.Other.Path);
        pki.WriteExpiredNodeA();
        return pki;
    }

    public void Dispose()
    {
        Cluster.Dispose();
        Other.Dispose();
    }

    /// <summary>node-a's certificate from the cluster CA that ended an hour ago: expired-node-a.crt/.key.</summary>
    private void WriteExpiredNodeA()
    {
        using var authority = X509Certificate2.CreateFromPemFile(File("ca.crt"), File("ca.key"));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=node-a", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("node-a");
        request.CertificateExtensions.Add(names.Build());
        var now = TimeProvider.System.GetUtcNow();
        using var expired = request.Create(authority, now.AddHours(-12), now.AddHours(-1), [0x01, 0x02, 0x03]);
        System.IO.File.WriteAllText(File("expired-node-a.crt"), expired.ExportCertificatePem());
        System.IO.File.WriteAllText(File("expired-node-a.key"), key.ExportPkcs8PrivateKeyPem());
    }

    private static async Task CertsAsync(params string[] args)
    {
        using var cli = ManagedProcess.StartDotnet("bramble certs", RepoLayout.CliDll, ["certs", .. args]);
        var exit = await cli.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.True(exit == 0, $"bramble certs {string.Join(' ', args)} exited {exit}: {cli.Output}");
    }
}
