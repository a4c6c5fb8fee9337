using System.Globalization;
using Bramble.IntegrationTests.Infrastructure;
using Bramble.IntegrationTests.Nfs;

namespace Bramble.Bench.Detection;

/// <summary>
/// A hung hard NFS mount: the FUSE fault file system (LAB.md section 2) declared as an NFSv3 mount in a proc root of
/// its own, read by a Bramble agent (default NFS probe: 5 s deadline, every 5 s) and by node_exporter's filesystem
/// collector (statfs of each mount, --collector.filesystem.mount-timeout 5 s by default). Inject: mode "hang";
/// recover: mode "ok".
/// </summary>
public sealed class NfsHangLane : IFaultLane
{
    private const string NodeExporter = "/usr/bin/prometheus-node-exporter";
    private FuseFaultLab? _lab;
    private ManagedProcess? _exporter;
    private ManagedProcess? _agent;

    public string Fault => "NFS mount hung";

    public string BrambleKind => "NfsMountHung";

    public string? SubjectNode => "bench-nfs";

    public IReadOnlyList<string> AgentNodes => ["bench-nfs"];

    public string BrambleSignal =>
        "The agent's NFS probe (write, fsync, read, stat in a child process; 5 s deadline; every 5 s) times out, the changed outcome is reported at once, NfsMountHung has no For.";

    public string? PeerAlert => "PeerNfsMountHung";

    public string PeerSignal =>
        "node_exporter has no NFS health metric. Proxy: the filesystem collector's statfs hangs on the mount, so the first scrape after the hang times out "
        + "(`up` 0, Prometheus's 10 s scrape timeout) and later ones report `node_filesystem_device_error` 1 (the collector marks the mount stuck after its 5 s mount timeout). "
        + "Rule: `(max by (instance) (node_filesystem_device_error{job=\"node\",fstype=\"nfs\"}) or max by (instance) (1 - up{job=\"node\"})) == 1` for 1m.";

    public int ExporterPort { get; } = FreePort.Next();

    public string ScrapeConfigs => $"""
          - job_name: node
            static_configs:
              - targets: ['127.0.0.1:{ExporterPort.ToString(CultureInfo.InvariantCulture)}']
        """;

    public string AlertRules => """
              - alert: PeerNfsMountHung
                expr: (max by (instance) (node_filesystem_device_error{job="node",fstype="nfs"}) or max by (instance) (1 - up{job="node"})) == 1
                for: 1m
        """;

    public async Task StartAsync(string aggregatorGrpcUrl)
    {
        _lab = await FuseFaultLab.StartAsync();
        // node_exporter's filesystem collector reads <procfs>/mounts (fstab format); declare the FUSE mount as NFS there too.
        await File.WriteAllTextAsync(Path.Combine(_lab.ProcRoot, "mounts"),
            $"127.0.0.1:/volume1/k8s/app-data {_lab.MountPoint} nfs rw,relatime,vers=3,hard,proto=tcp,timeo=600,retrans=2 0 0\n");
        _exporter = ManagedProcess.Start("node_exporter", NodeExporter,
        [
            $"--path.procfs={_lab.ProcRoot}", "--collector.disable-defaults", "--collector.filesystem", "--collector.mountstats",
            $"--web.listen-address=127.0.0.1:{ExporterPort.ToString(CultureInfo.InvariantCulture)}",
        ]);
        _agent = AgentProcess.Start(AgentNodes[0], aggregatorGrpcUrl,
            [.. _lab.AgentArguments(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1)), .. AgentDefaults.Intervals], new Dictionary<string, string>());
        await AgentProcess.WaitConnectedAsync(_agent);
    }

    public Task InjectAsync()
    {
        _lab!.SetMode("hang");
        return Task.CompletedTask;
    }

    public Task RecoverAsync()
    {
        _lab!.SetMode("ok");
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _lab?.SetMode("ok");
        _agent?.Dispose();
        _exporter?.Dispose();
        _lab?.Dispose();
    }
}
