using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Bramble.Agent.Linux.Doctor;

namespace Bramble.Agent.Doctor;

/// <summary>
/// Every certificate k3s or kubeadm keeps on the node, with its expiry: k3s's server/tls tree and agent directory
/// and its admin kubeconfig, kubeadm's /etc/kubernetes/pki and *.conf kubeconfigs (client-certificate-data), and the
/// kubelet's pki. A directory on an NFS mount is not read (it could hang); the caller is told which ones were skipped.
/// </summary>
public static class CertificateCalendar
{
    /// <summary>k3s renews certificates within 120 days of expiry at its next start; 30 and 7 days leave little time.</summary>
    public static readonly int[] WarningDays = [120, 30, 7];

    private const int MaxFiles = 500;

    // How deep each directory is walked: k3s's tls has etcd/ and temporary-certs/, kubeadm's pki has etcd/; the k3s
    // agent directory also holds containerd's image store, so only its top level is read.
    private static readonly (string Directory, int Depth)[] Directories =
    [
        ("/var/lib/rancher/k3s/server/tls", 2),
        ("/var/lib/rancher/k3s/agent", 0),
        ("/etc/kubernetes/pki", 1),
        ("/etc/kubernetes", 0),
        ("/var/lib/kubelet/pki", 0),
    ];

    private static readonly string[] KubeconfigFiles = ["/etc/rancher/k3s/k3s.yaml"];

    /// <summary>The certificates found, soonest expiry first, and the directories skipped because they are on NFS.</summary>
    public static (IReadOnlyList<CertificateEntry> Certificates, IReadOnlyList<string> SkippedOnNfs) Collect(DoctorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var entries = new List<CertificateEntry>();
        var skipped = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (directory, depth) in Directories)
        {
            if (context.NfsMountOf(directory) is { } mount)
            {
                skipped.Add($"{directory} (NFS {mount.Source})");
                continue;
            }

            Walk(context, directory, depth, entries, seen);
        }

        foreach (var file in KubeconfigFiles)
        {
            if (seen.Add(file))
            {
                AddFile(context, file, entries);
            }
        }

        return (entries.OrderBy(e => e.NotAfter).ThenBy(e => e.Path, StringComparer.Ordinal).ToArray(), skipped);
    }

    /// <summary>The verdict for a certificate ending at <paramref name="notAfter"/>: fail within 7 days, warn within 120.</summary>
    public static (int DaysLeft, DoctorStatus Status) Judge(DateTimeOffset notAfter, DateTimeOffset now)
    {
        var daysLeft = (int)Math.Floor((notAfter - now).TotalDays);
        var status = daysLeft < WarningDays[2] ? DoctorStatus.Fail : daysLeft < WarningDays[0] ? DoctorStatus.Warn : DoctorStatus.Ok;
        return (daysLeft, status);
    }

    private static void Walk(DoctorContext context, string directory, int depth, List<CertificateEntry> entries, HashSet<string> seen)
    {
        foreach (var name in context.ListHostDirectory(directory).Order(StringComparer.Ordinal))
        {
            if (entries.Count >= MaxFiles)
            {
                return;
            }

            var path = $"{directory}/{name}";
            if (name.EndsWith(".crt", StringComparison.Ordinal) || name.EndsWith(".pem", StringComparison.Ordinal)
                || name.EndsWith(".conf", StringComparison.Ordinal) || name.EndsWith(".kubeconfig", StringComparison.Ordinal))
            {
                if (seen.Add(path))
                {
                    AddFile(context, path, entries);
                }
            }
            else if (depth > 0 && !name.Contains('.', StringComparison.Ordinal) && context.NfsMountOf(path) is null)
            {
                Walk(context, path, depth - 1, entries, seen);
            }
        }
    }

    private static void AddFile(DoctorContext context, string path, List<CertificateEntry> entries)
    {
        var text = context.ReadHostFile(path);
        if (text is null)
        {
            return;
        }

        if (text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
        {
            Add(context, path, text, entries);
            return;
        }

        foreach (var (key, pem) in KubeconfigCertificates.Extract(text))
        {
            Add(context, $"{path}#{key}", pem, entries);
        }
    }

    private static void Add(DoctorContext context, string path, string pem, List<CertificateEntry> entries)
    {
        try
        {
            // The first CERTIFICATE block: the leaf in a chain and in kubeadm's certificate-and-key .pem files.
            using var certificate = X509Certificate2.CreateFromPem(pem);
            var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
            var (daysLeft, status) = Judge(notAfter, context.Now);
            entries.Add(new CertificateEntry(path, certificate.Subject, notAfter, daysLeft, status));
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            // Not a certificate after all (a key-only .pem, a kubeconfig pointing to files): nothing to list.
        }
    }
}
