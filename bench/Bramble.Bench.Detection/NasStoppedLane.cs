using System.Globalization;
using Bramble.IntegrationTests.Nfs;

namespace Bramble.Bench.Detection;

/// <summary>
/// The NAS stopped: nfs-ganesha SIGSTOPped (TCP still connects, nothing answers) and, as a real client's hard mount
/// would, the node's mount of it hangs (FUSE mode "hang"). Bramble: node 3's RPC NULL ping times out and its mount
/// probe hangs; NasUnreachable (For 10 s). Peer: node_exporter on the same mount.
/// </summary>
public sealed class NasStoppedLane(WireLab wire) : IFaultLane
{
    public string Fault => "NAS stopped";

    public string BrambleKind => "NasUnreachable";

    public string? SubjectNode => null;

    public IReadOnlyList<string> AgentNodes => [WireLab.NodeName(3)];

    public string BrambleSignal =>
        "The agent's RPC NULL ping to the NAS (2 s timeout) and its mount probe (5 s deadline) fail on their next round (every 5 s), reported at once; "
        + "NasUnreachable (every node using the server fails it; here the one node) has a For of 10 s so one lost ping is no incident.";

    public string? PeerAlert => "PeerNasMountHung";

    public string PeerSignal =>
        "no NAS or RPC metric in node_exporter; a TCP probe of port 2049 (blackbox exporter) still connects to a stopped server (the kernel completes the handshake). "
        + "The only proxy is the node's mount hanging, as for a hung NFS mount: "
        + "`(max by (instance) (node_filesystem_device_error{job=\"node-nas\",fstype=\"nfs\"}) or max by (instance) (1 - up{job=\"node-nas\"})) == 1` for 1m.";

    public string ScrapeConfigs => $"""
          - job_name: node-nas
            static_configs:
              - targets: ['127.0.0.1:{wire.ExporterPort.ToString(CultureInfo.InvariantCulture)}']
        """;

    public string AlertRules => """
              - alert: PeerNasMountHung
                expr: (max by (instance) (node_filesystem_device_error{job="node-nas",fstype="nfs"}) or max by (instance) (1 - up{job="node-nas"})) == 1
                for: 1m
        """;

    public Task StartAsync(string aggregatorGrpcUrl) => Task.CompletedTask;

    public Task InjectAsync()
    {
        wire.Nas.Stop();
        wire.Fuse.SetMode("hang");
        return Task.CompletedTask;
    }

    public Task RecoverAsync()
    {
        wire.Nas.Continue();
        wire.Fuse.SetMode("ok");
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        // The wire lab is shared; Program disposes it.
    }
}
