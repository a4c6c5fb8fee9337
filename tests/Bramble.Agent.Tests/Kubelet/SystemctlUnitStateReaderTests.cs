using Bramble.Agent.Linux.FileSystem;
using Bramble.Agent.Linux.Systemd;
using Bramble.Agent.Probes.Kubelet;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bramble.Agent.Tests.Kubelet;

/// <summary>The real reader against stand-ins for systemctl (scripts the test writes) that answer, fail, hang or are missing.</summary>
public sealed class SystemctlUnitStateReaderTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMilliseconds(500);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string FakeSystemctl(string body)
    {
        var path = Path.Combine(_dir.Path, "systemctl");
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return path;
    }

    private static SystemctlUnitStateReader Reader(string systemctl) =>
        new(NullLogger<SystemctlUnitStateReader>.Instance, TimeProvider.System, systemctl);

    [Fact]
    public async Task ReadAsync_SystemctlAnswers_ParsesAndPassesTheUnitAsOneArgument()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "needs /bin/sh");
        var args = Path.Combine(_dir.Path, "args");
        var systemctl = FakeSystemctl(
            $"printf '%s\\n' \"$@\" > '{args}'\n" +
            "printf 'LoadState=loaded\\nActiveState=active\\nSubState=running\\nNRestarts=3\\nActiveEnterTimestampMonotonic=5000000\\n'");

        var state = await Reader(systemctl).ReadAsync("k3s agent;x", Deadline, TestContext.Current.CancellationToken);

        Assert.Equal(new UnitState("k3s agent;x", "loaded", "active", "running", 3, TimeSpan.FromSeconds(5)), state);
        Assert.Equal(["show", "k3s agent;x", "--property=" + UnitState.Properties, "--no-pager"], File.ReadAllLines(args));
    }

    [Fact]
    public async Task ReadAsync_NotBootedWithSystemd_IsUnknown()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "needs /bin/sh");
        var systemctl = FakeSystemctl("echo \"System has not been booted with systemd as init system (PID 1). Can't operate.\" >&2\nexit 1");

        Assert.Null(await Reader(systemctl).ReadAsync("kubelet", Deadline, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ReadAsync_NoRunSystemdSystem_IsUnknownWithoutStartingSystemctl()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "needs /bin/sh");
        var ran = Path.Combine(_dir.Path, "ran");
        var systemctl = FakeSystemctl($"touch '{ran}'\nprintf 'LoadState=loaded\\nActiveState=active\\n'");
        var reader = new SystemctlUnitStateReader(NullLogger<SystemctlUnitStateReader>.Instance, TimeProvider.System, systemctl, systemdBooted: () => false);

        Assert.Null(await reader.ReadAsync("kubelet", Deadline, TestContext.Current.CancellationToken));
        Assert.False(File.Exists(ran), "systemctl was started on a machine not booted with systemd");
    }

    [Fact]
    public async Task ReadAsync_NoSystemctl_IsUnknown()
    {
        var missing = Path.Combine(_dir.Path, "no-such-systemctl");

        Assert.Null(await Reader(missing).ReadAsync("kubelet", Deadline, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ReadAsync_SystemctlHangs_IsUnknownAtTheDeadlineAndTheChildIsKilled()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "needs /bin/sh and /proc");
        var pidFile = Path.Combine(_dir.Path, "pid");
        var systemctl = FakeSystemctl($"echo $$ > '{pidFile}'\nexec sleep 30");
        var started = TimeProvider.System.GetTimestamp();

        var state = await Reader(systemctl).ReadAsync("kubelet", Deadline, TestContext.Current.CancellationToken);

        Assert.Null(state);
        Assert.InRange(TimeProvider.System.GetElapsedTime(started), Deadline - TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(5));
        var pid = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var gone = false;
        for (var attempt = 0; attempt < 40 && !gone; attempt++)
        {
            // Gone, or a zombie awaiting its reaper: either way no longer running.
            var stat = PhysicalFileSystem.Instance.TryReadAllText($"/proc/{pid}/stat");
            gone = stat is null || stat.Split(' ')[2] == "Z";
            if (!gone)
            {
                await Task.Delay(50, TestContext.Current.CancellationToken);
            }
        }

        Assert.True(gone, $"the hung systemctl stand-in (pid {pid}) is still running");
    }
}
