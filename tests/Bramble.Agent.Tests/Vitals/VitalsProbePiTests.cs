using Bramble.Agent.Linux.FileSystem;
using Bramble.Agent.Linux.Vitals;
using Bramble.Agent.Probes.Vitals;
using Bramble.Agent.Probing;
using Bramble.Protos.V1;

namespace Bramble.Agent.Tests.Vitals;

public sealed class VitalsProbePiTests
{
    private static readonly HostPaths Paths = new("/host/proc", "/host/sys");

    // A Pi 4 on a weak power supply, its SD card remounted read-only, PSI on, clock synchronised.
    private static InMemoryFileSystem UnhappyPi() => new InMemoryFileSystem()
        .Add("/host/proc/loadavg", "3.10 2.05 1.20 2/301 2211\n")
        .Add("/host/proc/meminfo", "MemTotal:        3885396 kB\nMemAvailable:    1021012 kB\n")
        .Add("/host/proc/uptime", "86400.50 300000.10\n")
        .Add("/host/sys/class/thermal/thermal_zone0/temp", "81250\n")
        .Add("/host/sys/devices/platform/soc/soc:firmware/get_throttled", "50005\n")
        .Add("/host/sys/dev/block/179:2/stat", "   40632     9218  2981158    71264    58291    64833  4421976   524632        0   139568   602164        0        0        0        0     3376    6267\n")
        .Add("/host/proc/self/mountinfo", "26 1 179:2 / / rw,noatime shared:1 - ext4 /dev/mmcblk0p2 ro\n")
        .Add("/host/proc/pressure/cpu", "some avg10=1.53 avg60=0.87 avg300=0.56 total=2735498137\n")
        .Add("/host/proc/pressure/memory", "some avg10=0.00 avg60=0.00 avg300=0.00 total=14418716\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=13466468\n")
        .Add("/host/proc/pressure/io", "some avg10=12.40 avg60=8.95 avg300=3.11 total=893264455\nfull avg10=11.62 avg60=8.23 avg300=2.85 total=821375322\n");

    private static async Task<(ProbeResult Result, NodeVitals Vitals)> RunAsync(InMemoryFileSystem fs, ClockSyncState? clock, DiskSpace? root = null)
    {
        var result = await new VitalsProbe(fs, Paths, new FakeClockSyncReader(clock), new FakeDiskSpaceReader(root)).ProbeAsync(TestContext.Current.CancellationToken);
        var report = new Report();
        result.Contribute!(report);
        return (result, report.Vitals);
    }

    [Fact]
    public async Task ProbeAsync_UnhappyPi_ReportsThrottlingReadOnlyRootPressureAndClock()
    {
        var (result, vitals) = await RunAsync(UnhappyPi(), ClockSyncState.FromTimex(4_500, 250), new DiskSpace(31_267_487_744, 1_073_741_824));

        Assert.Equal(ProbeStatus.Ok, result.Status);
        Assert.True(vitals.HasThrottledFlags);
        Assert.Equal(0x50005u, vitals.ThrottledFlags);
        Assert.True(vitals.RootReadOnly);
        Assert.Equal(31_267_487_744UL, vitals.RootSizeBytes);
        Assert.Equal(1_073_741_824UL, vitals.RootAvailableBytes);
        Assert.Equal(4421976UL * 512, vitals.RootDeviceWrittenBytes);
        Assert.True(vitals.HasClockSynchronized);
        Assert.True(vitals.ClockSynchronized);
        Assert.Equal(TimeSpan.FromMicroseconds(4_500), vitals.ClockMaxError.ToTimeSpan());
        Assert.Equal(TimeSpan.FromMicroseconds(250), vitals.ClockEstimatedError.ToTimeSpan());
        Assert.Equal(1.53, vitals.CpuPressure.Some.Avg10);
        Assert.Null(vitals.CpuPressure.Full);
        Assert.Equal(TimeSpan.FromMicroseconds(13466468), vitals.MemoryPressure.Full.Total.ToTimeSpan());
        Assert.Equal(11.62, vitals.IoPressure.Full.Avg10);
        Assert.Equal(3.11, vitals.IoPressure.Some.Avg300);
        Assert.Equal("throttled=0x50005;root=ro;clock=synced", result.Fingerprint);
    }

    [Fact]
    public async Task ProbeAsync_NotAPi_LeavesPiOnlyFieldsAbsent()
    {
        var fs = new InMemoryFileSystem()
            .Add("/host/proc/loadavg", "0.00 0.01 0.05 1/82 5436\n")
            .Add("/host/proc/meminfo", "MemTotal: 1024 kB\nMemAvailable: 512 kB\n");

        var (result, vitals) = await RunAsync(fs, clock: null);

        Assert.False(vitals.HasThrottledFlags);
        Assert.False(vitals.HasClockSynchronized);
        Assert.Null(vitals.ClockMaxError);
        Assert.Null(vitals.CpuPressure);
        Assert.Null(vitals.IoPressure);
        Assert.False(vitals.RootReadOnly);
        Assert.False(vitals.HasRootSizeBytes);
        Assert.False(vitals.HasRootAvailableBytes);
        Assert.False(vitals.HasRootDeviceWrittenBytes);
        Assert.Equal("throttled=none;root=unknown;clock=unknown", result.Fingerprint);
    }

    [Fact]
    public async Task ProbeAsync_ConditionChanges_ChangeTheFingerprint()
    {
        var before = await RunAsync(UnhappyPi(), ClockSyncState.FromTimex(16_000_000, 0));
        var writable = UnhappyPi().Add("/host/proc/self/mountinfo", "26 1 179:2 / / rw,noatime shared:1 - ext4 /dev/mmcblk0p2 rw\n");
        var after = await RunAsync(writable, ClockSyncState.FromTimex(16_000_000, 0));
        var recovered = await RunAsync(UnhappyPi().Add("/host/sys/devices/platform/soc/soc:firmware/get_throttled", "50000\n"), ClockSyncState.FromTimex(16_000_000, 0));

        Assert.Equal("throttled=0x50005;root=ro;clock=unsynced", before.Result.Fingerprint);
        Assert.False(before.Vitals.ClockSynchronized);
        Assert.Equal("throttled=0x50005;root=rw;clock=unsynced", after.Result.Fingerprint);
        Assert.Equal("throttled=0x50000;root=ro;clock=unsynced", recovered.Result.Fingerprint);
    }
}
