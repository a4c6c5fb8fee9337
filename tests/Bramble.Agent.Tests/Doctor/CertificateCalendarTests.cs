using System.Text.Json;
using Bramble.Agent.Doctor;
using Bramble.Agent.Doctor.Checks;
using Bramble.Agent.Linux.FileSystem;
using Bramble.Testing;

namespace Bramble.Agent.Tests.Doctor;

/// <summary>Certificates generated here (CertificateRequest) into a real directory tree laid out as k3s and kubeadm keep them.</summary>
public sealed class CertificateCalendarTests : IDisposable
{
    private static readonly DateTimeOffset Now = DoctorFixture.Now;
    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Theory]
    [InlineData(365, DoctorStatus.Ok)]
    [InlineData(121, DoctorStatus.Ok)]
    [InlineData(100, DoctorStatus.Warn)]
    [InlineData(20, DoctorStatus.Warn)]
    [InlineData(6, DoctorStatus.Fail)]
    [InlineData(-3, DoctorStatus.Fail)]
    public void Check_SoonestCertificateDecides(int days, DoctorStatus expected)
    {
        Write("/var/lib/rancher/k3s/server/tls/server-ca.crt", "CN=k3s-server-ca", 3650);
        Write("/var/lib/rancher/k3s/server/tls/serving-kube-apiserver.crt", "CN=kube-apiserver", days);
        var finding = Assert.Single(new CertificateExpiryCheck().Run(Context()));
        Assert.Equal(expected, finding.Status);
        Assert.Contains("serving-kube-apiserver.crt", finding.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void Collect_K3sAndKubeadmLayouts_EveryCertificateWithDaysLeft()
    {
        Write("/var/lib/rancher/k3s/server/tls/client-admin.crt", "CN=system:admin, O=system:masters", 300);
        Write("/var/lib/rancher/k3s/server/tls/etcd/server-client.crt", "CN=etcd-server", 20);
        Write("/var/lib/rancher/k3s/agent/client-kubelet.crt", "CN=system:node:pi-1", 200);
        Write("/etc/kubernetes/pki/apiserver.crt", "CN=kube-apiserver", 50);
        Write("/etc/kubernetes/pki/etcd/peer.crt", "CN=pi-1", 60);
        WriteText("/etc/kubernetes/admin.conf", TestCertificates.Kubeconfig(TestCertificates.Pem("CN=kubernetes-admin", Now.AddDays(5))));
        WriteText("/etc/rancher/k3s/k3s.yaml", TestCertificates.Kubeconfig(TestCertificates.Pem("CN=system:admin", Now.AddDays(90))));
        WriteText("/var/lib/kubelet/pki/kubelet.key", "-----BEGIN PRIVATE KEY-----\nnot a certificate\n-----END PRIVATE KEY-----\n");

        var (certificates, skipped) = CertificateCalendar.Collect(Context());

        Assert.Empty(skipped);
        Assert.Equal(
            [
                "/etc/kubernetes/admin.conf#client-certificate-data",
                "/var/lib/rancher/k3s/server/tls/etcd/server-client.crt",
                "/etc/kubernetes/pki/apiserver.crt",
                "/etc/kubernetes/pki/etcd/peer.crt",
                "/etc/rancher/k3s/k3s.yaml#client-certificate-data",
                "/var/lib/rancher/k3s/agent/client-kubelet.crt",
                "/var/lib/rancher/k3s/server/tls/client-admin.crt",
            ],
            certificates.Select(c => c.Path));
        var admin = certificates[0];
        Assert.Equal("CN=kubernetes-admin", admin.Subject);
        Assert.Equal(5, admin.DaysLeft);
        Assert.Equal(DoctorStatus.Fail, admin.Status);
        Assert.Equal(DoctorStatus.Warn, certificates[1].Status);
        Assert.Equal(DoctorStatus.Ok, certificates[^1].Status);
    }

    [Fact]
    public void Collect_StateDirectoryOnNfs_SkippedNotRead()
    {
        Write("/var/lib/rancher/k3s/server/tls/serving-kube-apiserver.crt", "CN=kube-apiserver", 3);
        WriteText("/proc/self/mountinfo", "22 1 179:2 / / rw - ext4 /dev/mmcblk0p2 rw\n140 22 0:52 / /var/lib/rancher rw,relatime - nfs nas.lan:/k3s rw,vers=3,hard,addr=192.0.2.5\n");

        var findings = new CertificateExpiryCheck().Run(Context());

        var finding = Assert.Single(findings);
        Assert.Equal(DoctorStatus.Skipped, finding.Status);
        Assert.Contains("/var/lib/rancher/k3s/server/tls (NFS nas.lan:/k3s)", finding.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void Collect_NothingThere_NotApplicable()
    {
        Assert.Equal(DoctorStatus.NotApplicable, Assert.Single(new CertificateExpiryCheck().Run(Context())).Status);
    }

    [Fact]
    public void Report_Json_HasStatusesAsWordsAndTheCalendar()
    {
        Write("/var/lib/rancher/k3s/server/tls/serving-kube-apiserver.crt", "CN=kube-apiserver", 20);
        var report = DoctorRunner.Run("pi-1", Context(), [new CertificateExpiryCheck(), new SwapCheck()]);

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(report, DoctorJsonContext.Default.DoctorReport));

        var root = json.RootElement;
        Assert.Equal("pi-1", root.GetProperty("node").GetString());
        Assert.Equal(0, root.GetProperty("exitCode").GetInt32());
        var first = root.GetProperty("findings")[0];
        Assert.Equal("certificates", first.GetProperty("check").GetString());
        Assert.Equal("warn", first.GetProperty("status").GetString());
        Assert.Equal("docs/runbooks/certificates.md", first.GetProperty("runbook").GetString());
        // No /proc/swaps in the tree: the swap check cannot tell, and says so as a warning.
        Assert.Equal("warn", root.GetProperty("findings")[1].GetProperty("status").GetString());
        var certificate = Assert.Single(root.GetProperty("certificates").EnumerateArray());
        Assert.Equal(20, certificate.GetProperty("daysLeft").GetInt32());
        Assert.Equal("CN=kube-apiserver", certificate.GetProperty("subject").GetString());
    }

    private DoctorContext Context() =>
        new(PhysicalFileSystem.Instance, new HostPaths(Path.Combine(_root.Path, "proc"), Path.Combine(_root.Path, "sys")), _root.Path, Now, [], null, [], null, new NoPowerSave());

    private void Write(string absolute, string subject, int days) =>
        TestCertificates.Write(_root.Path + absolute, subject, Now.AddDays(days).AddHours(1));

    private void WriteText(string absolute, string text)
    {
        var path = absolute.StartsWith("/proc/", StringComparison.Ordinal) ? Path.Combine(_root.Path, absolute.TrimStart('/')) : _root.Path + absolute;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private sealed class NoPowerSave : IWifiPowerSaveReader
    {
        public (bool? On, string How) Read(string interfaceName) => (null, "not asked");
    }
}
