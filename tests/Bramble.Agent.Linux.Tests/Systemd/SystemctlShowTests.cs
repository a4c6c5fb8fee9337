using Bramble.Agent.Linux.Systemd;

namespace Bramble.Agent.Linux.Tests.Systemd;

public sealed class SystemctlShowTests
{
    [Fact]
    public void Parse_RunningK3s_ReadsEveryProperty()
    {
        // systemctl show k3s --property=LoadState,ActiveState,SubState,NRestarts,ActiveEnterTimestampMonotonic (systemd 252)
        const string output = "NRestarts=0\nActiveEnterTimestampMonotonic=15873421\nLoadState=loaded\nActiveState=active\nSubState=running\n";

        var state = SystemctlShow.Parse("k3s", output);

        Assert.Equal(new UnitState("k3s", "loaded", "active", "running", 0, TimeSpan.FromMicroseconds(15873421)), state);
        Assert.True(state!.Exists);
    }

    [Fact]
    public void Parse_CrashLoopingKubelet_ReadsRestartsAndNoActiveTime()
    {
        const string output = "LoadState=loaded\nActiveState=activating\nSubState=auto-restart\nNRestarts=17\nActiveEnterTimestampMonotonic=0\n";

        var state = SystemctlShow.Parse("kubelet", output);

        Assert.Equal(17u, state!.Restarts);
        Assert.Equal("auto-restart", state.SubState);
        Assert.Null(state.ActiveEnterMonotonic);
    }

    [Fact]
    public void Parse_UnknownUnit_DoesNotExist()
    {
        // What systemd answers for a name it has no unit file for: exit 0, LoadState=not-found.
        const string output = "NRestarts=0\nActiveEnterTimestampMonotonic=0\nLoadState=not-found\nActiveState=inactive\nSubState=dead\n";

        var state = SystemctlShow.Parse("kubelet", output);

        Assert.False(state!.Exists);
    }

    [Fact]
    public void Parse_OldSystemdWithoutNRestarts_CountsZero()
    {
        var state = SystemctlShow.Parse("kubelet", "LoadState=loaded\nActiveState=active\nSubState=running\nNRestarts=[not set]\n");

        Assert.Equal(0u, state!.Restarts);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("System has not been booted with systemd as init system (PID 1). Can't operate.\n")]
    [InlineData("ActiveState=active\nSubState=running\n")]
    [InlineData("LoadState=loaded\nSubState=running\n")]
    public void Parse_NotShowOutput_ReturnsNull(string? output)
    {
        Assert.Null(SystemctlShow.Parse("kubelet", output));
    }
}
