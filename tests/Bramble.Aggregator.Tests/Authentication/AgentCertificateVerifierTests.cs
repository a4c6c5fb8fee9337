using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Bramble.Aggregator.Authentication;
using Microsoft.Extensions.Time.Testing;

namespace Bramble.Aggregator.Tests.Authentication;

/// <summary>
/// A client certificate is judged against the cluster CA only, at the injected time, for client authentication; the node
/// name is its single DNS name, else its CN. A stranger's expired certificate is untrusted, not merely expired.
/// </summary>
public sealed class AgentCertificateVerifierTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Now);
    private readonly X509Certificate2 _ca = Authority("cluster");
    private readonly X509Certificate2 _otherCa = Authority("other");

    public void Dispose()
    {
        _ca.Dispose();
        _otherCa.Dispose();
    }

    private AgentCertificateVerifier Verifier => new([_ca], _time);

    [Fact]
    public void Verify_NodeCertificateOfTheCa_NamesTheNodeFromItsDnsName()
    {
        using var node = Issue(_ca, "CN=ignored-cn", "node-a", "1.3.6.1.5.5.7.3.2", Now.AddDays(-1), Now.AddYears(2));

        Assert.Equal(("node-a", (AgentAuthRefusal?)null), Verifier.Verify(node));
    }

    [Fact]
    public void Verify_WithoutDnsName_NamesTheNodeFromItsCn()
    {
        using var node = Issue(_ca, "CN=node-b", null, "1.3.6.1.5.5.7.3.2", Now.AddDays(-1), Now.AddYears(2));

        Assert.Equal("node-b", Verifier.Verify(node).Node);
    }

    [Fact]
    public void Verify_NoCertificate_IsNoCertificate()
    {
        Assert.Equal(AgentAuthFailure.NoCertificate, Verifier.Verify(null).Refusal!.Reason);
    }

    [Fact]
    public void Verify_AnotherCasCertificate_IsUntrusted_EvenWhenAlsoExpired()
    {
        using var stranger = Issue(_otherCa, "CN=node-a", "node-a", "1.3.6.1.5.5.7.3.2", Now.AddDays(-1), Now.AddYears(2));
        using var expiredStranger = Issue(_otherCa, "CN=node-a", "node-a", "1.3.6.1.5.5.7.3.2", Now.AddDays(-1), Now.AddHours(-1));

        Assert.Equal(AgentAuthFailure.UntrustedCertificate, Verifier.Verify(stranger).Refusal!.Reason);
        Assert.Equal(AgentAuthFailure.UntrustedCertificate, Verifier.Verify(expiredStranger).Refusal!.Reason);
    }

    [Fact]
    public void Verify_ExpiredByTheInjectedClock_IsExpiredWithTheDate()
    {
        using var node = Issue(_ca, "CN=node-a", "node-a", "1.3.6.1.5.5.7.3.2", Now.AddDays(-1), Now.AddDays(30));
        Assert.Null(Verifier.Verify(node).Refusal);

        _time.Advance(TimeSpan.FromDays(31));
        var refusal = Verifier.Verify(node).Refusal!;

        Assert.Equal(AgentAuthFailure.ExpiredCertificate, refusal.Reason);
        Assert.Contains("expired at 2026-12-26T12:00:00Z", refusal.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_ServerCertificateOfTheCa_IsUntrustedForClientAuthentication()
    {
        using var server = Issue(_ca, "CN=aggregator", "aggregator", "1.3.6.1.5.5.7.3.1", Now.AddDays(-1), Now.AddYears(2));

        var refusal = Verifier.Verify(server).Refusal!;

        Assert.Equal(AgentAuthFailure.UntrustedCertificate, refusal.Reason);
        Assert.Contains("not issued for client authentication", refusal.Detail, StringComparison.Ordinal);
    }

    private static X509Certificate2 Authority(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        return request.CreateSelfSigned(Now.AddYears(-1), Now.AddYears(10));
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, string subject, string? dnsName, string usage, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        if (dnsName is not null)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName(dnsName);
            request.CertificateExtensions.Add(names.Build());
        }

        return request.Create(ca, notBefore, notAfter, RandomNumberGenerator.GetBytes(8));
    }
}
