using Bramble.Engine.Cluster;
using Bramble.Engine.Correlation;
using Bramble.Engine.Rules;
using Bramble.Engine.Rules.Nfs;
using static Bramble.Engine.Tests.Rules.ClusterBuilder;

namespace Bramble.Engine.Tests.Rules.Nfs;

/// <summary>Frozen pods in NFS incidents, and the kernel's "server not responding" as evidence and as a witness of a dead NAS.</summary>
public sealed class NfsKernelAndPodTests
{
    private const string Nas = "192.0.2.10";
    private const string Uid = "5f0c2a4e-1b7d-4c39-9a43-0d5b8e6f7a21";
    private const string Volume = $"/var/lib/kubelet/pods/{Uid}/volumes/kubernetes.io~nfs/pvc-3c1d";

    private readonly RuleEngine _engine = new(
        [new NfsMountHungRule(new RuleSettings()), new NfsStaleHandleRule(new RuleSettings()), new NfsSlowRule(new NfsSlowSettings())],
        [new NasUnreachableRule(new NasUnreachableSettings())]);

    private static NfsMountView Mount(NfsHealth health = NfsHealth.Ok, bool? reachable = null, string mountPoint = "/mnt/nas", int errno = 0) =>
        new(mountPoint, Nas, health, health == NfsHealth.Hung ? null : TimeSpan.FromMilliseconds(12),
            health == NfsHealth.Hung ? "probe stuck for 6.0 s" : string.Empty, errno, [], reachable, null, 100, 0, 0, 0)
        {
            Source = "nas.lan:/volume1/k8s",
        };

    private static KernelMessageView Kernel(KernelMessageKind kind, double secondsAgo, ulong sequence, string server = "nas.lan") =>
        new(Now.AddSeconds(-secondsAgo), kind, server,
            kind == KernelMessageKind.NfsServerOk ? $"nfs: server {server} OK" : $"nfs: server {server} not responding, still trying", sequence);

    private static NodeState With(string name, NfsMountView mount, params KernelMessageView[] kernel) =>
        Node(name, 1) with { NfsMounts = [mount], KernelMessages = kernel };

    [Fact]
    public void Evaluate_HungPodVolumeWithFrozenPods_NamesThePodsAndThePv()
    {
        var mount = Mount(NfsHealth.Hung, reachable: true, mountPoint: Volume) with
        {
            PodUid = Uid,
            PodVolume = "pvc-3c1d",
            FrozenPods = [new FrozenPodView(Uid, "media", "jellyfin", 2), new FrozenPodView("0a1b", "media", "immich", 1)],
        };

        var hung = Assert.Single(_engine.Evaluate(Snapshot(With("pi-1", mount))).Findings);

        Assert.Contains("pods media/immich and media/jellyfin of PV pvc-3c1d are frozen", hung.Summary, StringComparison.Ordinal);
        Assert.Equal("media/immich,media/jellyfin", hung.Evidence["frozenPods"]);
        Assert.Equal((Uid, "pvc-3c1d", "false"), (hung.Evidence["podUid"], hung.Evidence["podVolume"], hung.Evidence["podSubpath"]));
    }

    [Fact]
    public void Evaluate_OneFrozenPodWithoutName_IsNamedByUid()
    {
        var mount = Mount(NfsHealth.Hung, reachable: true) with { FrozenPods = [new FrozenPodView(Uid, string.Empty, string.Empty, 1)] };

        var hung = Assert.Single(_engine.Evaluate(Snapshot(With("pi-1", mount))).Findings);

        Assert.Contains($"pod {Uid} is frozen", hung.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_StaleHandleOnAPodSubpath_SaysWhichPodAndVolume()
    {
        var mount = Mount(NfsHealth.Error, reachable: true, mountPoint: $"/var/lib/kubelet/pods/{Uid}/volume-subpaths/pvc-3c1d/app/0", errno: NfsMountView.Estale) with
        {
            PodUid = Uid,
            PodVolume = "pvc-3c1d",
            PodSubpath = true,
        };

        var stale = Assert.Single(_engine.Evaluate(Snapshot(With("pi-1", mount))).Findings);

        Assert.Equal(NfsStaleHandleRule.KindName, stale.Kind);
        Assert.Equal((Uid, "pvc-3c1d", "true"), (stale.Evidence["podUid"], stale.Evidence["podVolume"], stale.Evidence["podSubpath"]));
    }

    [Fact]
    public void Evaluate_HungMount_CarriesTheKernelsLatestWordOnItsServerByTheSourcesHostName()
    {
        var node = With("pi-1", Mount(NfsHealth.Hung, reachable: true), Kernel(KernelMessageKind.NfsServerNotResponding, 30, 7),
            Kernel(KernelMessageKind.NfsServerNotResponding, 10, 9, server: "other.lan"));

        var hung = Assert.Single(_engine.Evaluate(Snapshot(node)).Findings);

        Assert.Equal("2026-11-26T08:59:30Z nfs: server nas.lan not responding, still trying", hung.Evidence["kernel"]);
    }

    [Fact]
    public void Evaluate_KernelSaysNotRespondingOnMostClientsWithoutPings_IsNasUnreachable()
    {
        var result = _engine.Evaluate(Snapshot(
            With("pi-1", Mount(NfsHealth.Slow), Kernel(KernelMessageKind.NfsServerNotResponding, 20, 1)),
            With("pi-2", Mount(NfsHealth.Slow), Kernel(KernelMessageKind.NfsServerNotResponding, 25, 4)),
            With("pi-3", Mount())));

        var nas = Assert.Single(result.Findings, f => f.Kind == NasUnreachableRule.KindName);
        Assert.Equal("pi-1,pi-2", nas.Evidence["kernelNotRespondingOn"]);
        Assert.Equal("pi-1: 2026-11-26T08:59:40Z nfs: server nas.lan not responding, still trying; pi-2: 2026-11-26T08:59:35Z nfs: server nas.lan not responding, still trying",
            nas.Evidence["kernel"]);
        Assert.Contains("the kernel on 2 of 3 nodes says it is not responding (pi-1, pi-2)", nas.Summary, StringComparison.Ordinal);
        Assert.All(result.Findings.Where(f => f.Kind == NfsSlowRule.KindName), f => Assert.Equal(nas.Key, result.CauseOf[f.Key]));
    }

    [Fact]
    public void Evaluate_KernelSaidOkAfterNotResponding_IsNoWitness()
    {
        var result = _engine.Evaluate(Snapshot(
            With("pi-1", Mount(NfsHealth.Slow), Kernel(KernelMessageKind.NfsServerNotResponding, 20, 1), Kernel(KernelMessageKind.NfsServerOk, 5, 2)),
            With("pi-2", Mount(NfsHealth.Slow), Kernel(KernelMessageKind.NfsServerNotResponding, 25, 4), Kernel(KernelMessageKind.NfsServerOk, 6, 5))));

        Assert.DoesNotContain(result.Findings, f => f.Kind == NasUnreachableRule.KindName);
    }

    [Fact]
    public void Evaluate_KernelSaysNotRespondingWhileThePingAnswers_IsAStuckClientNotADeadNas()
    {
        var result = _engine.Evaluate(Snapshot(
            With("pi-1", Mount(NfsHealth.Hung, reachable: true), Kernel(KernelMessageKind.NfsServerNotResponding, 20, 1)),
            With("pi-2", Mount(reachable: true), Kernel(KernelMessageKind.NfsServerNotResponding, 25, 4))));

        Assert.DoesNotContain(result.Findings, f => f.Kind == NasUnreachableRule.KindName);
        Assert.Single(result.Findings, f => f.Kind == NfsMountHungRule.KindName);
    }

    [Fact]
    public void Evaluate_KernelSaysNotRespondingWhileTheProbeGetsThrough_IsNoWitness()
    {
        var result = _engine.Evaluate(Snapshot(
            With("pi-1", Mount(), Kernel(KernelMessageKind.NfsServerNotResponding, 20, 1)),
            With("pi-2", Mount(), Kernel(KernelMessageKind.NfsServerNotResponding, 25, 4))));

        Assert.DoesNotContain(result.Findings, f => f.Kind == NasUnreachableRule.KindName);
    }

    [Fact]
    public void Evaluate_KernelOfOneNodeInThree_IsBelowTheShare()
    {
        var result = _engine.Evaluate(Snapshot(
            With("pi-1", Mount(NfsHealth.Slow), Kernel(KernelMessageKind.NfsServerNotResponding, 20, 1)),
            With("pi-2", Mount()),
            With("pi-3", Mount())));

        Assert.DoesNotContain(result.Findings, f => f.Kind == NasUnreachableRule.KindName);
    }
}
