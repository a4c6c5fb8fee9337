using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;

namespace Bramble.Cli.Certs;

/// <summary>
/// Makes the cluster's certificates: a CA, a client certificate per node and the aggregator's server certificate, all
/// ECDSA P-256 (fast on a Pi, small handshakes). Pure: the caller gives the time, nothing is read or written here.
/// </summary>
public static partial class ClusterCertificates
{
    public const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";
    public const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";

    /// <summary>
    /// Every certificate starts a day early: a Pi without a real-time clock boots with the time it last shut down
    /// (fake-hwclock) until NTP answers, and must not find a fresh certificate "not yet valid".
    /// </summary>
    public static readonly TimeSpan Backdate = TimeSpan.FromDays(1);

    public static X509Certificate2 CreateAuthority(string name, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(Subject(name), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(now - Backdate, now.AddYears(10));
    }

    /// <summary>A node's client certificate: the node name as CN and as the only DNS name, clientAuth only, two years.</summary>
    public static X509Certificate2 IssueNode(X509Certificate2 authority, string node, DateTimeOffset now) =>
        IssueNode(authority, node, now - Backdate, now.AddYears(2));

    /// <summary>As above with explicit validity (tests make expired ones); clamped to the authority's own.</summary>
    public static X509Certificate2 IssueNode(X509Certificate2 authority, string node, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        if (!IsNodeName(node))
        {
            throw new ArgumentException($"'{node}' is not a node name (a Kubernetes node name: lowercase letters, digits, '-' and '.')", nameof(node));
        }

        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(node);
        return Issue(authority, node, names, ClientAuthOid, notBefore, notAfter);
    }

    /// <summary>The aggregator's server certificate for the given host names and addresses (the first is the CN), serverAuth, two years.</summary>
    public static X509Certificate2 IssueServer(X509Certificate2 authority, IReadOnlyList<string> hosts, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        if (hosts.Count == 0)
        {
            throw new ArgumentException("at least one host name or address is needed", nameof(hosts));
        }

        var names = new SubjectAlternativeNameBuilder();
        foreach (var host in hosts)
        {
            if (IPAddress.TryParse(host, out var address))
            {
                names.AddIpAddress(address);
            }
            else if (HostName().IsMatch(host))
            {
                names.AddDnsName(host);
            }
            else
            {
                throw new ArgumentException($"'{host}' is neither an IP address nor a host name", nameof(hosts));
            }
        }

        return Issue(authority, hosts[0], names, ServerAuthOid, now - Backdate, now.AddYears(2));
    }

    public static bool IsNodeName(string? node) => node is not null && NodeName().IsMatch(node);

    private static X509Certificate2 Issue(X509Certificate2 authority, string commonName, SubjectAlternativeNameBuilder names, string usage,
        DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        ArgumentNullException.ThrowIfNull(authority);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(Subject(commonName), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, true, false));

        var from = notBefore < authority.NotBefore ? new DateTimeOffset(authority.NotBefore) : notBefore;
        var until = notAfter > authority.NotAfter ? new DateTimeOffset(authority.NotAfter) : notAfter;
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // a positive serial number
        using var certificate = request.Create(authority, from, until, serial);
        return certificate.CopyWithPrivateKey(key);
    }

    private static X500DistinguishedName Subject(string commonName)
    {
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName(commonName);
        subject.AddOrganizationName("Bramble");
        return subject.Build();
    }

    // A Kubernetes node name is a DNS-1123 subdomain: it is also a valid DNS name for the certificate's SAN.
    [GeneratedRegex("^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$")]
    private static partial Regex NodeName();

    [GeneratedRegex("^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$")]
    private static partial Regex HostName();
}
