using Bramble.Aggregator.Incidents;
using Bramble.Aggregator.Nodes;
using Bramble.Engine.Cluster;
using Bramble.Protos.V1;
using Google.Protobuf.WellKnownTypes;

namespace Bramble.Aggregator.Tests.Incidents;

public sealed class KernelMessageMapperTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Map_ReportsKernelMessages_InTheirOrderWithKindAndTime()
    {
        var report = new Report();
        report.KernelMessages.Add(new KernelMessage { LoggedAt = Timestamp.FromDateTimeOffset(At), Event = KernelEvent.NfsServerNotResponding, Subject = "nas.lan", Text = "nfs: server nas.lan not responding, still trying", Sequence = 7 });
        report.KernelMessages.Add(new KernelMessage { LoggedAt = Timestamp.FromDateTimeOffset(At.AddSeconds(5)), Event = KernelEvent.UnderVoltage, Subject = "hwmon1", Text = "hwmon hwmon1: Undervoltage detected!", Sequence = 8 });

        var views = KernelMessageMapper.Map(report);

        Assert.Equal(
            [
                new KernelMessageView(At, KernelMessageKind.NfsServerNotResponding, "nas.lan", "nfs: server nas.lan not responding, still trying", 7),
                new KernelMessageView(At.AddSeconds(5), KernelMessageKind.UnderVoltage, "hwmon1", "hwmon hwmon1: Undervoltage detected!", 8),
            ],
            views);
        Assert.Empty(KernelMessageMapper.Map(null));
    }

    [Fact]
    public void NfsMountMapper_PodVolumeAndFrozenPods_ReachTheView()
    {
        var report = new Report();
        var mount = new NfsMount { MountPoint = "/v", Server = "192.0.2.10", Source = "nas.lan:/k8s", PodUid = "u1", PodVolume = "pvc-1", PodSubpath = true };
        mount.FrozenPods.Add(new FrozenPod { Uid = "u1", Namespace = "media", Name = "jellyfin", StuckProcesses = 2 });
        mount.StuckPids.Add([100, 101]);
        report.NfsMounts.Add(mount);

        var view = Assert.Single(NfsMountMapper.Map(report, new NfsCounters()));

        Assert.Equal(("nas.lan:/k8s", "u1", "pvc-1", true, 2), (view.Source, view.PodUid, view.PodVolume, view.PodSubpath, view.StuckProcesses));
        Assert.Equal([new FrozenPodView("u1", "media", "jellyfin", 2)], view.FrozenPods);
    }
}
