using System.Globalization;
using System.Text.RegularExpressions;
using Bramble.IntegrationTests.Infrastructure;
using Bramble.IntegrationTests.Nfs;
using Bramble.IntegrationTests.Vip;

namespace Bramble.Bench.Detection;

/// <summary>
/// The layer-2 lab (LAB.md sections 1 and 2) the NAS and VIP lanes share: three node namespaces and an observer on
/// one bridge; nfs-ganesha at 192.0.2.10 with the FUSE fault file system declared as its NFSv3 mount; keepalived on
/// nodes 1 (priority 150) and 2 (100) holding 192.0.2.100; a MetalLB-style user-space ARP responder on node 3 for
/// 192.0.2.101. One agent per namespace (shipped defaults), each watching both VIPs; node 3's also has the NFS mount
/// and pings the NAS. Agents reach the shared aggregator through a <see cref="NamespaceRelay"/> in their namespace.
/// node_exporter (in the host's namespace: it only reads the proc root and statfs's the mount) reads the same mount.
/// </summary>
public sealed partial class WireLab : IDisposable
{
    public const string KeepalivedVip = "192.0.2.100";
    public const string ResponderVip = "192.0.2.101";
    private const string NodeExporter = "/usr/bin/prometheus-node-exporter";

    private readonly NetworkLab _lab;
    private readonly Bramble.Testing.TempDirectory _directory = new();
    private readonly List<NamespaceRelay> _relays = [];
    private readonly List<ManagedProcess> _agents = [];
    private readonly Dictionary<int, ManagedProcess> _keepalived = [];
    private NfsServerLab? _nas;
    private FuseFaultLab? _fuse;
    private ManagedProcess? _exporter;
    private ManagedProcess? _responder;

    public WireLab() => _lab = NetworkLab.Create(3);

    public int ExporterPort { get; } = FreePort.Next();

    public NfsServerLab Nas => _nas!;

    public FuseFaultLab Fuse => _fuse!;

    public NetworkLab Lab => _lab;

    public static string NodeName(int n) => n == 0 ? "wire-obs" : $"wire-n{n.ToString(CultureInfo.InvariantCulture)}";

    public static string? Unavailable() => NfsServerLab.Unavailable() ?? FuseFaultLab.Unavailable()
        ?? (Keepalived.SkipReason.Length > 0 ? Keepalived.SkipReason : null);

    public async Task StartAsync(int aggregatorGrpcPort)
    {
        _nas = await NfsServerLab.StartAsync(_lab);
        _fuse = await FuseFaultLab.StartAsync(NfsServerLab.Address);
        await File.WriteAllTextAsync(Path.Combine(_fuse.ProcRoot, "mounts"),
            $"{NfsServerLab.Address}:/volume1/k8s/app-data {_fuse.MountPoint} nfs rw,relatime,vers=3,hard,proto=tcp,timeo=600,retrans=2 0 0\n");
        _exporter = ManagedProcess.Start("node_exporter (NAS mount)", NodeExporter,
        [
            $"--path.procfs={_fuse.ProcRoot}", "--collector.disable-defaults", "--collector.filesystem", "--collector.mountstats",
            $"--web.listen-address=127.0.0.1:{ExporterPort.ToString(CultureInfo.InvariantCulture)}",
        ]);
        for (var n = 0; n <= 3; n++)
        {
            var ns = n == 0 ? _lab.Observer : _lab.Node(n);
            var relay = new NamespaceRelay(ns, aggregatorGrpcPort);
            _relays.Add(relay);
            string[] nfs = n == 3 ? [.. _fuse.AgentArguments(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1)), "--Nfs:RpcPing=true"] : [];
            _agents.Add(NetworkLab.StartIn(ns, $"agent {NodeName(n)}", "dotnet",
            [
                RepoLayout.AgentDll, $"--Agent:NodeName={NodeName(n)}", $"--Agent:AggregatorAddress={relay.Url}",
                .. AgentDefaults.Intervals,
                $"--Vip:Watch:0:Address={KeepalivedVip}", "--Vip:Watch:0:Interface=eth0",
                $"--Vip:Watch:1:Address={ResponderVip}", "--Vip:Watch:1:Interface=eth0",
                .. nfs,
            ]));
        }

        await Task.WhenAll(_agents.Select(a => a.WaitForLineAsync(ConnectedLine(), TimeSpan.FromSeconds(120))));
        _keepalived[1] = Keepalived.Start(_lab, 1, 150, _directory.Path);
        _keepalived[2] = Keepalived.Start(_lab, 2, 100, _directory.Path);
        await StartResponderAsync();
    }

    /// <summary>The ARP responder for <see cref="ResponderVip"/> on node 3 (it exits by itself after two hours at most).</summary>
    public async Task StartResponderAsync()
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Vip", "arp_responder.py");
        _responder = NetworkLab.StartIn(_lab.Node(3), "arp responder n3", "python3", [script, "eth0", ResponderVip, "7200"]);
        await _responder.WaitForLineAsync(ReadyLine(), TimeSpan.FromSeconds(30));
    }

    public void StopResponder()
    {
        _responder?.Dispose();
        _responder = null;
    }

    public void Dispose()
    {
        _fuse?.SetMode("ok");
        _nas?.Continue();
        _responder?.Dispose();
        foreach (var process in _keepalived.Values.Concat(_agents))
        {
            process.Dispose();
        }

        foreach (var relay in _relays)
        {
            relay.Dispose();
        }

        _exporter?.Dispose();
        _fuse?.Dispose();
        _nas?.Dispose();
        _lab.Dispose();
        _directory.Dispose();
    }

    [GeneratedRegex("Connected to the aggregator")]
    private static partial Regex ConnectedLine();

    [GeneratedRegex("^ready$")]
    private static partial Regex ReadyLine();
}
