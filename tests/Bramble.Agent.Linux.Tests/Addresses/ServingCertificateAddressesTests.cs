using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Bramble.Agent.Linux.Addresses;

namespace Bramble.Agent.Linux.Tests.Addresses;

public sealed class ServingCertificateAddressesTests
{
    /// <summary>A serving certificate as k3s issues serving-kubelet.crt: host name, localhost, 127.0.0.1 and the node IPs; then its CA.</summary>
    internal static string K3sStylePem(params string[] nodeIps)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=pi-1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("pi-1");
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        foreach (var ip in nodeIps)
        {
            names.AddIpAddress(IPAddress.Parse(ip));
        }

        request.CertificateExtensions.Add(names.Build());
        var now = new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero);
        using var leaf = request.CreateSelfSigned(now, now.AddYears(1));
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var ca = new CertificateRequest("CN=k3s-server-ca", caKey, HashAlgorithmName.SHA256).CreateSelfSigned(now, now.AddYears(10));
        return leaf.ExportCertificatePem() + "\n" + ca.ExportCertificatePem() + "\n";
    }

    [Fact]
    public void Parse_K3sServingCertificate_GivesTheNodeIpsWithoutLoopback()
    {
        Assert.Equal(["192.0.2.41", "2001:db8::29"], ServingCertificateAddresses.Parse(K3sStylePem("192.0.2.41", "2001:db8::29")));
    }

    [Fact]
    public void Parse_CertificateWithHostNameOnly_IsEmpty()
    {
        Assert.Empty(ServingCertificateAddresses.Parse(K3sStylePem())!);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n")]
    [InlineData("just text")]
    public void Parse_NoReadableCertificate_IsNull(string? pem)
    {
        Assert.Null(ServingCertificateAddresses.Parse(pem));
    }
}
