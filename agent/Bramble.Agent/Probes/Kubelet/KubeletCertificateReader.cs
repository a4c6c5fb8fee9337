using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Bramble.Agent.Probing;

namespace Bramble.Agent.Probes.Kubelet;

/// <summary>
/// Reads the expiry of a PEM certificate: the first CERTIFICATE block, which is the leaf in kubeadm's
/// kubelet-client-current.pem (certificate and key in one file) and in k3s's chains.
/// </summary>
public sealed partial class KubeletCertificateReader
{
    private readonly ILogger<KubeletCertificateReader> _logger;
    private readonly ConcurrentDictionary<string, bool> _warned = new(StringComparer.Ordinal);
    private readonly ContentMemo<DateTimeOffset> _expiries = new();

    public KubeletCertificateReader(ILogger<KubeletCertificateReader> logger)
    {
        _logger = logger;
    }

    /// <summary>The configured path if set, else the first default that exists; null when none is there or readable.</summary>
    public CertificateExpiry? Read(string configuredPath, IReadOnlyList<string> defaultPaths)
    {
        ArgumentNullException.ThrowIfNull(configuredPath);
        ArgumentNullException.ThrowIfNull(defaultPaths);
        IEnumerable<string> candidates = configuredPath.Length > 0 ? [configuredPath] : defaultPaths;
        foreach (var path in candidates)
        {
            if (!File.Exists(path))
            {
                continue;
            }

            try
            {
                var notAfter = _expiries.Get(path, File.ReadAllText(path), NotAfter);
                _warned.TryRemove(path, out _);
                return new CertificateExpiry(path, notAfter);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
            {
                // Once per path, not every probe interval: the reason (often permissions) will not change by itself.
                if (_warned.TryAdd(path, true))
                {
                    LogUnreadable(_logger, path, e.Message);
                }
            }
        }

        return null;
    }

    private static DateTimeOffset NotAfter(string pem)
    {
        using var certificate = X509Certificate2.CreateFromPem(pem);
        return new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
    }

    [LoggerMessage(EventId = 904, Level = LogLevel.Warning, Message = "Cannot read the kubelet certificate {Path}: {Reason}")]
    private static partial void LogUnreadable(ILogger logger, string path, string reason);
}
