using System.Diagnostics;
using System.Text.Json;
using Bramble.IntegrationTests.Infrastructure;
using Bramble.Testing;

namespace Bramble.IntegrationTests.Doctor;

/// <summary>`bramble-agent doctor` as a user runs it: the real program over a fixture root, and over this machine.</summary>
public sealed class DoctorCommandTests : IDisposable
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task Doctor_FixtureRootWithEveryTrap_ReportsEachExitsOneAndTheAggregatorShowsTheSame()
    {
        WriteFixtureNode();

        var stopwatch = Stopwatch.StartNew();
        using var doctor = ManagedProcess.StartDotnet("agent doctor", RepoLayout.AgentDll, ["doctor", "--json", .. FixtureArguments()]);
        var exit = await doctor.WaitForExitAsync(ExitTimeout);
        TestContext.Current.TestOutputHelper?.WriteLine($"doctor over the fixture root: exit {exit} after {stopwatch.Elapsed.TotalSeconds:0.00} s");

        Assert.Equal(1, exit);
        using var json = JsonDocument.Parse(JsonBody(doctor.Output));
        var findings = Findings(json.RootElement);
        Assert.Contains(findings, f => f is { Check: "vip-interface", Status: "fail" } && f.Evidence.Contains("wlan0", StringComparison.Ordinal) && f.Evidence.Contains("Wi-Fi", StringComparison.Ordinal));
        Assert.Contains(findings, f => f is { Check: "arp-sysctls", Status: "warn" } && f.Evidence.Contains("arp_ignore=0", StringComparison.Ordinal));
        Assert.Contains(findings, f => f is { Check: "ipvs-strict-arp", Status: "fail" } && f.Evidence.Contains("kube-ipvs0", StringComparison.Ordinal));
        Assert.Contains(findings, f => f is { Check: "nfs-state-mounts", Status: "fail" } && f.Evidence.Contains("/var/lib/rancher/k3s/storage is a hard NFS mount", StringComparison.Ordinal));
        Assert.Contains(findings, f => f is { Check: "certificates", Status: "warn" } && f.Evidence.Contains("in 20 days", StringComparison.Ordinal));
        Assert.Contains(findings, f => f is { Check: "nfs-locking-services", Status: "fail" });
        Assert.Contains(findings, f => f is { Check: "time-sync-ordering", Status: "not_applicable" });
        Assert.Contains(findings, f => f is { Check: "nfs-root-squash", Status: "skipped" } && f.Evidence.Contains("ENOENT", StringComparison.Ordinal));
        var calendar = json.RootElement.GetProperty("certificates").EnumerateArray().ToArray();
        Assert.Equal(2, calendar.Length);
        Assert.Equal("/var/lib/rancher/k3s/server/tls/serving-kube-apiserver.crt", calendar[0].GetProperty("path").GetString());
        Assert.Equal(20, calendar[0].GetProperty("daysLeft").GetInt32());

        // The same node as a running agent: its doctor probe's findings reach the aggregator's API and status page.
        using var aggregator = new AggregatorProcess();
        await aggregator.StartAsync();
        using var agent = AgentProcess.Start("pi-doctor", aggregator.GrpcUrl, FixtureArguments());
        var api = await Eventually.WaitAsync(
            () => aggregator.GetTextAsync("/api/v1/doctor"),
            text => text.Contains("\"pi-doctor\"", StringComparison.Ordinal),
            TimeSpan.FromSeconds(60),
            "pi-doctor's doctor summary in /api/v1/doctor");
        using var apiJson = JsonDocument.Parse(api);
        var node = Assert.Single(apiJson.RootElement.GetProperty("nodes").EnumerateArray());
        Assert.Equal("pi-doctor", node.GetProperty("node").GetString());
        Assert.Equal(
            findings.Select(f => (f.Check, f.Status)).Where(f => f.Check != "wifi-power-save"),
            Findings(node).Select(f => (f.Check, f.Status)).Where(f => f.Check != "wifi-power-save"));
        var apiCertificate = node.GetProperty("certificates")[0];
        Assert.Equal("/var/lib/rancher/k3s/server/tls/serving-kube-apiserver.crt", apiCertificate.GetProperty("path").GetString());
        Assert.Equal(20, apiCertificate.GetProperty("daysLeft").GetInt32());
        var page = await aggregator.GetTextAsync("/");
        Assert.Contains("Preflight (doctor)", page, StringComparison.Ordinal);
        Assert.Contains("wlan0 (default route; no Vip:Watch) is Wi-Fi and not promiscuous", page, StringComparison.Ordinal);
        Assert.Contains("serving-kube-apiserver.crt", page, StringComparison.Ordinal);

        // And cluster-wide through the CLI: exit 1 because a check failed on a node.
        using var cli = ManagedProcess.StartDotnet("bramble doctor", RepoLayout.CliDll, ["doctor", "--url", aggregator.HttpUrl]);
        Assert.Equal(1, await cli.WaitForExitAsync(ExitTimeout));
        Assert.Contains(cli.Output.Split('\n'), l => l.StartsWith("pi-doctor", StringComparison.Ordinal) && l.Contains("fail", StringComparison.Ordinal) && l.Contains("vip-interface", StringComparison.Ordinal));
        Assert.Contains("CERTIFICATE pi-doctor /var/lib/rancher/k3s/server/tls/serving-kube-apiserver.crt", cli.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_ThisMachine_RunsToTheEndAndMarksWhatDoesNotApply()
    {
        var stopwatch = Stopwatch.StartNew();
        using var doctor = ManagedProcess.StartDotnet("agent doctor", RepoLayout.AgentDll, ["doctor"]);
        var exit = await doctor.WaitForExitAsync(ExitTimeout);
        TestContext.Current.TestOutputHelper?.WriteLine($"doctor on this machine: exit {exit} after {stopwatch.Elapsed.TotalSeconds:0.00} s\n{doctor.Output}");

        var summary = doctor.Output.Split('\n').Last(l => l.StartsWith("doctor: ", StringComparison.Ordinal));
        // The exit code follows the findings: 1 exactly when a check failed.
        Assert.Equal(summary.Contains(" fail", StringComparison.Ordinal) ? 1 : 0, exit);
        Assert.EndsWith($"exit {exit}", summary, StringComparison.Ordinal);
        if (!File.Exists("/etc/systemd/system/k3s.service") && !File.Exists("/usr/lib/systemd/system/kubelet.service") && !File.Exists("/lib/systemd/system/kubelet.service"))
        {
            Assert.Contains(doctor.Output.Split('\n'), l => l.StartsWith("not applicable time-sync-ordering", StringComparison.Ordinal));
        }
    }

    // A Pi whose default route is on wlan0 (Wi-Fi, not promiscuous: 0x1003) with the kernel's default ARP sysctls, a
    // kube-ipvs0 device, a hard NFS mount under /var/lib/rancher and a k3s serving certificate that ends in 20 days.
    private void WriteFixtureNode()
    {
        var now = TimeProvider.System.GetUtcNow();
        Write("proc/net/route", "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\nwlan0\t00000000\t010200C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\nwlan0\t000200C0\t00000000\t0001\t0\t0\t600\t00FFFFFF\t0\t0\t0\n");
        Write("sys/class/net/wlan0/flags", "0x1003\n");
        Write("sys/class/net/wlan0/uevent", "DEVTYPE=wlan\nINTERFACE=wlan0\nIFINDEX=3\n");
        Write("sys/class/net/wlan0/phy80211/name", "phy0\n");
        Write("sys/class/net/kube-ipvs0/flags", "0x82\n");
        foreach (var scope in new[] { "all", "wlan0" })
        {
            Write($"proc/sys/net/ipv4/conf/{scope}/arp_ignore", "0\n");
            Write($"proc/sys/net/ipv4/conf/{scope}/arp_announce", "0\n");
        }

        // The server's certificates stay on local storage beside the NFS mount, so they are read. The mount is listed
        // under the fixture's host root, as an agent in a container sees the host's mounts under Vitals:HostRoot; so
        // no probe child ever touches this machine's own /var/lib/rancher (the mount point itself is never created).
        Write("proc/self/mountinfo", "22 1 179:2 / / rw,noatime shared:1 - ext4 /dev/mmcblk0p2 rw\n"
            + $"140 22 0:52 / {_root.Path}/host/var/lib/rancher/k3s/storage rw,relatime shared:80 - nfs 192.0.2.5:/volume1/k3s rw,vers=3,rsize=32768,wsize=32768,namlen=255,hard,proto=tcp,timeo=600,retrans=2,sec=sys,local_lock=none,addr=192.0.2.5\n");
        TestCertificates.Write(Path.Combine(_root.Path, "host/var/lib/rancher/k3s/server/tls/serving-kube-apiserver.crt"), "CN=kube-apiserver", now.AddDays(20).AddHours(1));
        TestCertificates.Write(Path.Combine(_root.Path, "host/var/lib/rancher/k3s/server/tls/server-ca.crt"), "CN=k3s-server-ca@1700000000", now.AddDays(3650));
        Write("proc/swaps", "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
        Write("sys/fs/cgroup/cgroup.controllers", "cpuset cpu io memory pids\n");
        Write("kmsg", string.Empty);

        // What the running agent needs besides: its boot id and this machine's load, memory and uptime.
        Write("proc/sys/kernel/random/boot_id", "0d0c7000-0000-4000-8000-000000000012\n");
        foreach (var file in new[] { "loadavg", "meminfo", "uptime" })
        {
            Write($"proc/{file}", File.ReadAllText($"/proc/{file}"));
        }
    }

    private string[] FixtureArguments() =>
    [
        $"--Agent:ProcRoot={_root.Path}/proc",
        $"--Agent:SysRoot={_root.Path}/sys",
        $"--Agent:KmsgPath={_root.Path}/kmsg",
        $"--Vitals:HostRoot={_root.Path}/host",
        "--Agent:NodeName=pi-doctor",
        // The fixture's NAS (192.0.2.5) is not on this machine's network: the running agent must not ping it.
        "--Nfs:RpcPing=false",
    ];

    private static (string Check, string Status, string Evidence)[] Findings(JsonElement report) =>
        report.GetProperty("findings").EnumerateArray()
            .Select(f => (f.GetProperty("check").GetString()!, f.GetProperty("status").GetString()!, f.GetProperty("evidence").GetString()!))
            .ToArray();

    private void Write(string relative, string text)
    {
        var path = Path.Combine(_root.Path, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    // ManagedProcess keeps stdout and stderr interleaved; the report is the one JSON object.
    private static string JsonBody(string output) => output[output.IndexOf('{', StringComparison.Ordinal)..(output.LastIndexOf('}') + 1)];
}
