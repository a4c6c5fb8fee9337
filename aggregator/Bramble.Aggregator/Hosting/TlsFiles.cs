using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Bramble.Aggregator.Hosting;

/// <summary>Reads the aggregator's PEM files at start; every problem names the configuration key and the file.</summary>
public static class TlsFiles
{
    public static string PathOf(string file, string? credentialsDirectory) =>
        Path.IsPathRooted(file) || string.IsNullOrEmpty(credentialsDirectory) ? file : Path.Combine(credentialsDirectory, file);

    /// <summary>A certificate with its private key, or why not.</summary>
    public static (X509Certificate2? Certificate, IReadOnlyList<string> Failures) LoadCertificate(
        string section, string? certificateFile, string? keyFile, string? credentialsDirectory)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(certificateFile))
        {
            failures.Add($"{section}:CertificateFile: required with an https:// URL");
        }

        if (string.IsNullOrWhiteSpace(keyFile))
        {
            failures.Add($"{section}:KeyFile: required with an https:// URL");
        }

        if (failures.Count > 0)
        {
            return (null, failures);
        }

        var certificatePath = PathOf(certificateFile!, credentialsDirectory);
        var keyPath = PathOf(keyFile!, credentialsDirectory);
        if (Unreadable($"{section}:CertificateFile", certificatePath) is { } certificateFailure)
        {
            failures.Add(certificateFailure);
        }

        if (Unreadable($"{section}:KeyFile", keyPath) is { } keyFailure)
        {
            failures.Add(keyFailure);
        }

        if (failures.Count > 0)
        {
            return (null, failures);
        }

        try
        {
            return (X509Certificate2.CreateFromPemFile(certificatePath, keyPath), []);
        }
        catch (CryptographicException e)
        {
            return (null, [$"{section}:CertificateFile: '{certificatePath}' with key '{keyPath}' is not a PEM certificate and its matching private key: {e.Message}"]);
        }
    }

    /// <summary>The CA certificates of a PEM file (one or more, e.g. an old and a new CA during a rotation), or why not.</summary>
    public static (X509Certificate2Collection? Authorities, IReadOnlyList<string> Failures) LoadAuthorities(
        string key, string? file, string? credentialsDirectory)
    {
        if (string.IsNullOrWhiteSpace(file))
        {
            return (null, [$"{key}: required in MutualTls mode (the cluster CA, e.g. ca.crt of `bramble certs init`)"]);
        }

        var path = PathOf(file, credentialsDirectory);
        if (Unreadable(key, path) is { } failure)
        {
            return (null, [failure]);
        }

        var authorities = new X509Certificate2Collection();
        try
        {
            authorities.ImportFromPemFile(path);
        }
        catch (CryptographicException e)
        {
            return (null, [$"{key}: '{path}' is not PEM: {e.Message}"]);
        }

        var notAuthority = authorities.FirstOrDefault(c => c.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is not { CertificateAuthority: true });
        return authorities.Count == 0 ? (null, [$"{key}: '{path}' holds no certificate"])
            : notAuthority is not null ? (null, [$"{key}: '{path}': {notAuthority.Subject} is not a CA certificate"])
            : (authorities, []);
    }

    private static string? Unreadable(string key, string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"{key}: cannot read '{path}': {e.Message}";
        }
    }
}
