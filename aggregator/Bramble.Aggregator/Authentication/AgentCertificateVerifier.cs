using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;

namespace Bramble.Aggregator.Authentication;

/// <summary>
/// Checks an agent's TLS client certificate against the cluster CA only (a custom trust store: no system root can
/// vouch for a node) at the time <see cref="TimeProvider"/> says, for client authentication, and reads the node name it
/// was issued to: its DNS name (as `bramble certs node` writes it), else its CN. No revocation check: a home CA publishes
/// no CRL; a lost node is shut out by a new CA, or by a short-lived certificate.
/// </summary>
public sealed class AgentCertificateVerifier(X509Certificate2Collection authorities, TimeProvider time)
{
    private const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";

    /// <summary>The node the certificate names, or why it is refused.</summary>
    public (string? Node, AgentAuthRefusal? Refusal) Verify(X509Certificate2? certificate)
    {
        if (certificate is null)
        {
            return (null, new AgentAuthRefusal(AgentAuthFailure.NoCertificate, StatusCode.Unauthenticated,
                "no_certificate: the TLS connection carried no client certificate; this aggregator requires one signed by the cluster CA (Agent:Tls:CertificateFile, Agent:Tls:KeyFile)"));
        }

        var now = time.GetUtcNow();
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(ClientAuthOid));
        chain.Build(certificate);
        var status = chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status);
        var subject = certificate.Subject;

        // A stranger's certificate is a stranger's whatever its dates: trust is judged before validity.
        if ((status & ~(X509ChainStatusFlags.NotTimeValid | X509ChainStatusFlags.NotValidForUsage)) != X509ChainStatusFlags.NoError)
        {
            return (null, Untrusted($"the client certificate '{subject}' does not chain to the cluster CA ({status})"));
        }

        if (status.HasFlag(X509ChainStatusFlags.NotTimeValid))
        {
            var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
            var notBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime());
            var when = notAfter < now
                ? $"expired at {Stamp(notAfter)}"
                : notBefore > now ? $"is not valid before {Stamp(notBefore)}" : "is outside its validity (or its CA is)";
            return (null, new AgentAuthRefusal(AgentAuthFailure.ExpiredCertificate, StatusCode.Unauthenticated,
                $"expired_certificate: the client certificate '{subject}' {when} (aggregator time {Stamp(now)}); issue a new one with `bramble certs node`"));
        }

        if (status.HasFlag(X509ChainStatusFlags.NotValidForUsage))
        {
            return (null, Untrusted($"the client certificate '{subject}' is not issued for client authentication (extended key usage)"));
        }

        var node = NodeOf(certificate);
        return string.IsNullOrEmpty(node)
            ? (null, Untrusted($"the client certificate '{subject}' names no single node (one DNS name, or a CN)"))
            : (node, null);
    }

    public static string? NodeOf(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var dnsNames = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().SelectMany(e => e.EnumerateDnsNames()).ToList();
        return dnsNames.Count == 1 ? dnsNames[0]
            : dnsNames.Count > 1 ? null
            : certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
    }

    private static AgentAuthRefusal Untrusted(string why) =>
        new(AgentAuthFailure.UntrustedCertificate, StatusCode.Unauthenticated, $"untrusted_certificate: {why}");

    private static string Stamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
