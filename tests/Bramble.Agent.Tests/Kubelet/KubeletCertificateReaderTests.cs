using Bramble.Agent.Probes.Kubelet;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bramble.Agent.Tests.Kubelet;

public sealed class KubeletCertificateReaderTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();
    private readonly KubeletCertificateReader _reader = new(NullLogger<KubeletCertificateReader>.Instance);

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Read_CertificateAndKeyInOnePem_ReadsNotAfter()
    {
        var path = Path.Combine(_dir.Path, "kubelet-client-current.pem");
        var notAfter = TestCertificates.WritePem(path, Now.AddDays(-362), Now.AddDays(3));

        var expiry = _reader.Read(path, []);

        Assert.Equal(new CertificateExpiry(path, notAfter), expiry);
        Assert.Equal(Now.AddDays(3), expiry!.NotAfter);
    }

    [Fact]
    public void Read_NoConfiguredPath_TakesTheFirstDefaultThatExists()
    {
        var kubeadm = Path.Combine(_dir.Path, "var/lib/kubelet/pki/kubelet.crt");
        var k3s = Path.Combine(_dir.Path, "var/lib/rancher/k3s/agent/serving-kubelet.crt");
        var notAfter = TestCertificates.WritePem(k3s, Now.AddDays(-1), Now.AddDays(364), withKey: false);

        var expiry = _reader.Read(string.Empty, [kubeadm, k3s]);

        Assert.Equal(new CertificateExpiry(k3s, notAfter), expiry);
    }

    [Fact]
    public void Read_ConfiguredPath_IgnoresTheDefaults()
    {
        var fallback = Path.Combine(_dir.Path, "default.crt");
        TestCertificates.WritePem(fallback, Now.AddDays(-1), Now.AddDays(30));

        Assert.Null(_reader.Read(Path.Combine(_dir.Path, "configured-but-missing.crt"), [fallback]));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a certificate\n")]
    [InlineData("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")]
    public void Read_NotAPemCertificate_ReturnsNull(string text)
    {
        var path = Path.Combine(_dir.Path, "broken.crt");
        File.WriteAllText(path, text);

        Assert.Null(_reader.Read(path, []));
    }

    [Fact]
    public void Read_CertificateRotatedInPlace_ReadsTheNewNotAfter()
    {
        var path = Path.Combine(_dir.Path, "kubelet-client-current.pem");
        TestCertificates.WritePem(path, Now.AddDays(-362), Now.AddDays(3));
        Assert.Equal(Now.AddDays(3), _reader.Read(path, [])!.NotAfter);
        Assert.Equal(Now.AddDays(3), _reader.Read(path, [])!.NotAfter);

        TestCertificates.WritePem(path, Now, Now.AddDays(365));

        Assert.Equal(Now.AddDays(365), _reader.Read(path, [])!.NotAfter);
    }

    [Fact]
    public void Read_CertificateBrokenAfterAGoodRead_ReturnsNull()
    {
        var path = Path.Combine(_dir.Path, "kubelet.crt");
        TestCertificates.WritePem(path, Now.AddDays(-1), Now.AddDays(30));
        Assert.NotNull(_reader.Read(path, []));

        File.WriteAllText(path, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");

        Assert.Null(_reader.Read(path, []));
    }

    [Fact]
    public void Read_NothingThere_ReturnsNull()
    {
        Assert.Null(_reader.Read(string.Empty, [Path.Combine(_dir.Path, "a.crt"), Path.Combine(_dir.Path, "b.crt")]));
    }
}
