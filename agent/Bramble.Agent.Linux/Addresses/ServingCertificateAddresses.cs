using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Bramble.Agent.Linux.Addresses;

/// <summary>
/// The IP addresses in a kubelet serving certificate's subject alternative names: the addresses the cluster was told
/// this node serves on (k3s and kubelet server TLS bootstrap put the node's IPs there when the certificate is issued).
/// Loopback and link-local entries (k3s adds 127.0.0.1) say nothing about the node's network and are left out.
/// </summary>
public static class ServingCertificateAddresses
{
    /// <summary>The leaf's (first certificate's) global IP SANs in canonical text; null when the PEM holds no readable certificate.</summary>
    public static IReadOnlyList<string>? Parse(string? pem)
    {
        if (string.IsNullOrWhiteSpace(pem))
        {
            return null;
        }

        try
        {
            using var certificate = X509Certificate2.CreateFromPem(pem);
            var addresses = new List<IPAddress>();
            foreach (var extension in certificate.Extensions)
            {
                if (extension is X509SubjectAlternativeNameExtension names)
                {
                    addresses.AddRange(names.EnumerateIPAddresses());
                }
            }

            return addresses.Where(NodeAddresses.IsGlobal).Select(a => a.ToString()).Distinct(StringComparer.Ordinal).ToList();
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            return null;
        }
    }
}
