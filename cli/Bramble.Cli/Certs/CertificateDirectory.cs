using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Bramble.Cli.Certs;

/// <summary>
/// The files of `bramble certs` in one directory, as PEM: ca.crt/ca.key, node-NAME.crt/.key, server.crt/.key.
/// Keys are created 0600 (never widened by a umask or an existing file's mode); nothing is overwritten unless forced,
/// and every target is checked before the first byte is written, so a refusal leaves the directory as it was.
/// </summary>
public sealed class CertificateDirectory(string path)
{
    public string Path { get; } = path;

    public string AuthorityCertificate => Combine("ca.crt");

    public string AuthorityKey => Combine("ca.key");

    public string NodeCertificate(string node) => Combine($"node-{node}.crt");

    public string NodeKey(string node) => Combine($"node-{node}.key");

    public string ServerCertificate => Combine("server.crt");

    public string ServerKey => Combine("server.key");

    /// <summary>The CA with its private key, or why it cannot be used.</summary>
    public X509Certificate2 LoadAuthority()
    {
        if (!File.Exists(AuthorityCertificate) || !File.Exists(AuthorityKey))
        {
            throw new CertificateFileException($"no cluster CA in {Path} ({AuthorityCertificate}, {AuthorityKey}): run `bramble certs init --dir {Path}` first");
        }

        try
        {
            return X509Certificate2.CreateFromPemFile(AuthorityCertificate, AuthorityKey);
        }
        catch (CryptographicException e)
        {
            throw new CertificateFileException($"cannot read the cluster CA {AuthorityCertificate} with {AuthorityKey}: {e.Message}");
        }
    }

    /// <summary>Writes the certificate (0644) and its private key (0600); refuses when either exists and not forced.</summary>
    public IReadOnlyList<string> Write(X509Certificate2 certificate, string certificatePath, string keyPath, bool force)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var existing = new[] { certificatePath, keyPath }.Where(File.Exists).ToList();
        if (existing.Count > 0 && !force)
        {
            throw new CertificateFileException(
                $"{string.Join(" and ", existing)} already {(existing.Count == 1 ? "exists" : "exist")}; nothing was written (--force replaces)");
        }

        using var key = certificate.GetECDsaPrivateKey()
            ?? throw new InvalidOperationException("the certificate has no ECDSA private key");
        Directory.CreateDirectory(Path);
        WriteNew(keyPath, key.ExportPkcs8PrivateKeyPem() + "\n", UnixFileMode.UserRead | UnixFileMode.UserWrite);
        WriteNew(certificatePath, certificate.ExportCertificatePem() + "\n",
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        return [certificatePath, keyPath];
    }

    private static void WriteNew(string path, string content, UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("bramble certs sets Unix file modes");
        }

        // Replaced by a new file rather than truncated: an existing file keeps its mode, which may be wider than 0600.
        File.Delete(path);
        using var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = mode,
        });
        using var writer = new StreamWriter(stream);
        writer.Write(content);
    }

    private string Combine(string name) => System.IO.Path.Combine(Path, name);
}
