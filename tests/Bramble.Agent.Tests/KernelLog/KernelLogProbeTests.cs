using System.Globalization;
using Bramble.Agent.Hosting;
using Bramble.Agent.Linux.FileSystem;
using Bramble.Agent.Probes.KernelLog;
using Bramble.Protos.V1;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Tests.KernelLog;

public sealed class KernelLogProbeTests : IDisposable
{
    // Records in the /dev/kmsg format (see tests/Bramble.Agent.Linux.Tests/Fixtures/KernelLog/README.md).
    private const string Kmsg = """
        6,954,8419736776,-;br0: port 2(p9) entered disabled state
        5,1201,8420100000,-;nfs: server nas.lan not responding, still trying
        12,1203,8420200000,-;nfs: server evil.lan not responding, still trying
        3,1204,8420300000,-;mmc0: Timeout waiting for hardware interrupt.
        2,1209,8420400300,-;EXT4-fs (mmcblk0p2): Remounting filesystem read-only
        2,1210,8420500000,-;hwmon hwmon1: Undervoltage detected!
         SUBSYSTEM=hwmon
         DEVICE=+hwmon:hwmon1
        5,1212,8420700000,-;nfs: server nas.lan OK

        """;

    // The kernel's stamps above are ~8,420 s after boot; the node has been up 8,421 s.
    private const double UptimeSeconds = 8421.0;

    private readonly TempDirectory _directory = new();
    private readonly WatchedTime _time = new();
    private readonly HostPaths _paths = new("/fixture/proc", "/fixture/sys");
    private readonly InMemoryFileSystem _proc = new();

    public KernelLogProbeTests() => SetUptime(UptimeSeconds);

    private string KmsgPath => Path.Combine(_directory.Path, "kmsg");

    private DateTimeOffset BootTime => _time.GetUtcNow() - TimeSpan.FromSeconds(UptimeSeconds);

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task ProbeAsync_KmsgFile_ReportsTheKernelLinesOfInterestOldestFirstDatedFromBoot()
    {
        File.WriteAllText(KmsgPath, Kmsg);
        using var probe = NewProbe();

        var messages = await RunAsync(probe);

        Assert.Equal(
            [
                (KernelEvent.NfsServerNotResponding, "nas.lan", 1201ul),
                (KernelEvent.StorageTimeout, "mmc0", 1204ul),
                (KernelEvent.RemountedReadOnly, "mmcblk0p2", 1209ul),
                (KernelEvent.UnderVoltage, "hwmon1", 1210ul),
                (KernelEvent.NfsServerOk, "nas.lan", 1212ul),
            ],
            messages.Select(m => (m.Event, m.Subject, m.Sequence)));
        Assert.Equal(BootTime + TimeSpan.FromMicroseconds(8420100000), messages[0].LoggedAt.ToDateTimeOffset());
        Assert.Equal("nfs: server nas.lan not responding, still trying", messages[0].Text);
    }

    [Fact]
    public async Task ProbeAsync_LinesAppendedLater_AreReadOnTheNextRunAndAPartialLineWaitsForItsEnd()
    {
        File.WriteAllText(KmsgPath, Kmsg);
        using var probe = NewProbe();
        Assert.Equal(5, (await RunAsync(probe)).Count);

        File.AppendAllText(KmsgPath, "5,1300,8420900000,-;nfs: server nas.lan not responding, still trying\n5,1301,8420950000,-;nfs: server nas.lan OK");
        var second = await RunAsync(probe);
        Assert.Equal(1300ul, second[^1].Sequence);

        File.AppendAllText(KmsgPath, "\n");
        var third = await RunAsync(probe);
        Assert.Equal((KernelEvent.NfsServerOk, 1301ul), (third[^1].Event, third[^1].Sequence));
        Assert.Equal(7, third.Count);
    }

    [Fact]
    public async Task ProbeAsync_RetentionWindow_DropsLinesOlderThanItAndNeverListsOldOnes()
    {
        // One line from an hour before the others: outside the 10-minute window from the start.
        File.WriteAllText(KmsgPath, "5,100,4800000000,-;nfs: server old.lan not responding, still trying\n" + Kmsg);
        using var probe = NewProbe(TimeSpan.FromMinutes(10));

        var fresh = await RunAsync(probe);
        Assert.DoesNotContain(fresh, m => m.Subject == "old.lan");
        Assert.Equal(5, fresh.Count);

        _time.Fake.Advance(TimeSpan.FromMinutes(10));
        SetUptime(UptimeSeconds + 600);
        Assert.Empty(await RunAsync(probe));
    }

    [Fact]
    public async Task ProbeAsync_WallClockStepsAtTimeSync_KeepsTheLinesAndDatesThemFromTheNewBootTime()
    {
        File.WriteAllText(KmsgPath, Kmsg);
        using var probe = NewProbe();
        var before = await RunAsync(probe);

        // No RTC: the Pi booted on a stale clock; the first time sync steps it two hours ahead, five seconds later.
        _time.Fake.Advance(TimeSpan.FromHours(2) + TimeSpan.FromSeconds(5));
        SetUptime(UptimeSeconds + 5);
        var after = await RunAsync(probe);

        Assert.Equal(before.Select(m => m.Sequence), after.Select(m => m.Sequence));
        Assert.Equal(TimeSpan.FromHours(2), after[0].LoggedAt.ToDateTimeOffset() - before[0].LoggedAt.ToDateTimeOffset());
    }

    [Fact]
    public async Task ProbeAsync_UptimeReadAMomentApartFromTheClock_DoesNotMoveALinesTime()
    {
        File.WriteAllText(KmsgPath, Kmsg);
        using var probe = NewProbe();
        var before = await RunAsync(probe);

        _time.Fake.Advance(TimeSpan.FromSeconds(5));
        SetUptime(UptimeSeconds + 5.03);

        Assert.Equal(before[0].LoggedAt, (await RunAsync(probe))[0].LoggedAt);
    }

    [Fact]
    public async Task ProbeAsync_MoreThan32Lines_KeepsTheNewest32OldestFirst()
    {
        var lines = Enumerable.Range(1, 40).Select(i => string.Create(CultureInfo.InvariantCulture,
            $"5,{i},{8_420_000_000 + i},-;nfs: server nas.lan not responding, still trying\n"));
        File.WriteAllText(KmsgPath, string.Concat(lines));
        using var probe = NewProbe();

        var messages = await RunAsync(probe);

        Assert.Equal(Enumerable.Range(9, 32).Select(i => (ulong)i), messages.Select(m => m.Sequence));
    }

    [Fact]
    public async Task ProbeAsync_MissingFile_IsAProbeErrorNamingItUntilItAppears()
    {
        using var probe = NewProbe();

        var missing = await probe.ProbeAsync(TestContext.Current.CancellationToken);
        Assert.Equal(ProbeStatus.Error, missing.Status);
        Assert.Equal($"cannot open {KmsgPath}: ENOENT", missing.Detail);

        File.WriteAllText(KmsgPath, Kmsg);
        Assert.Equal(5, (await RunAsync(probe)).Count);
    }

    [Fact]
    public async Task ProbeAsync_NoUptime_IsAProbeErrorBecauseNothingCanBeDated()
    {
        File.WriteAllText(KmsgPath, Kmsg);
        using var probe = new KernelLogProbe(Options.Create(new AgentOptions { KmsgPath = KmsgPath }), new InMemoryFileSystem(), _paths, _time,
            NullLogger<KernelLogProbe>.Instance);

        var result = await probe.ProbeAsync(TestContext.Current.CancellationToken);

        Assert.Equal(ProbeStatus.Error, result.Status);
        Assert.Equal("cannot read /fixture/proc/uptime, which dates the kernel's records", result.Detail);
    }

    [Fact]
    public async Task ProbeAsync_RealDevKmsg_ReadsToTheEndWithoutWaitingForTheNextRecord()
    {
        Assert.SkipWhen(!File.Exists("/dev/kmsg"), "this machine has no /dev/kmsg");
        Assert.SkipWhen(Environment.UserName != "root", "reading /dev/kmsg needs root (or CAP_SYSLOG) here");
        using var probe = new KernelLogProbe(Options.Create(new AgentOptions { KmsgPath = "/dev/kmsg" }), _proc, _paths, _time,
            NullLogger<KernelLogProbe>.Instance);

        // /dev/kmsg opened blocking would wait at its end for the next record forever; these runs must each return.
        for (var run = 0; run < 3; run++)
        {
            var result = await probe.ProbeAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
            Assert.Equal(ProbeStatus.Ok, result.Status);
        }
    }

    private KernelLogProbe NewProbe(TimeSpan? retention = null) => new(
        Options.Create(new AgentOptions { KmsgPath = KmsgPath, KernelMessageRetention = retention ?? TimeSpan.FromMinutes(10) }),
        _proc, _paths, _time, NullLogger<KernelLogProbe>.Instance);

    private void SetUptime(double seconds) =>
        _proc.Add("/fixture/proc/uptime", string.Create(CultureInfo.InvariantCulture, $"{seconds:0.00} 12345.67\n"));

    private static async Task<IReadOnlyList<KernelMessage>> RunAsync(KernelLogProbe probe)
    {
        var result = await probe.ProbeAsync(TestContext.Current.CancellationToken);
        Assert.Equal(ProbeStatus.Ok, result.Status);
        var report = new Report();
        result.Contribute!(report);
        return report.KernelMessages;
    }
}
