using Bramble.Agent.Linux.Processes;

namespace Bramble.Agent.Linux.Tests.Processes;

/// <summary>stat, cgroup, /var/log/pods names and wait channels, in the kernel's and kubelet's formats.</summary>
public sealed class ProcessFieldsTests
{
    [Theory]
    // A command name with a space and a parenthesis: the state follows the last ')'.
    [InlineData("4711 (postgres) D 1 4711 4711 0 -1 4194560 2174 0 0 0 3 2 0 0 20 0 1 0 812 227057664 3431 18446744073709551615\n", 4711, "postgres", 'D', 1)]
    [InlineData("812 (tmux: server) S 1 812 812 0 -1 4194624 ...", 812, "tmux: server", 'S', 1)]
    [InlineData("99 (a) b) R 98 99", 99, "a) b", 'R', 98)]
    public void ProcessStat_Parse_ReadsPidCommandStateAndParent(string text, int pid, string command, char state, int parent)
    {
        Assert.Equal(new ProcessStat(pid, command, state, parent), ProcessStat.Parse(text));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("12 (x)")]
    public void ProcessStat_Parse_Malformed_IsNull(string? text)
    {
        Assert.Null(ProcessStat.Parse(text));
    }

    public static TheoryData<string, string?> Cgroups => new()
    {
        // systemd cgroup driver (kubeadm default): the uid's dashes become underscores.
        { "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod5f0c2a4e_1b7d_4c39_9a43_0d5b8e6f7a21.slice/cri-containerd-9b1c.scope\n", "5f0c2a4e-1b7d-4c39-9a43-0d5b8e6f7a21" },
        // Guaranteed QoS sits right under kubepods.slice.
        { "0::/kubepods.slice/kubepods-pod0a1b2c3d_4e5f_4a6b_8c7d_9e0f1a2b3c4d.slice/cri-containerd-1.scope\n", "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d" },
        // cgroupfs driver (k3s), on a cgroup v1 hierarchy line.
        { "12:pids:/kubepods/besteffort/pod5f0c2a4e-1b7d-4c39-9a43-0d5b8e6f7a21/0c6d3f\n11:memory:/kubepods/besteffort/pod5f0c2a4e-1b7d-4c39-9a43-0d5b8e6f7a21/0c6d3f\n", "5f0c2a4e-1b7d-4c39-9a43-0d5b8e6f7a21" },
        // The pod's own cgroup, no container below it (a test's).
        { "0::/bt-1234/kubepods-pod5f0c2a4e_1b7d_4c39_9a43_0d5b8e6f7a21.slice\n", "5f0c2a4e-1b7d-4c39-9a43-0d5b8e6f7a21" },
        { "0::/system.slice/kubelet.service\n", null },
        { "0::/user.slice/user-1000.slice/session-3.scope\n", null },
        { "0::/kubepods.slice/kubepods-burstable.slice\n", null },
    };

    [Theory]
    [MemberData(nameof(Cgroups))]
    public void PodCgroup_PodUid_FromEitherDriver(string cgroup, string? uid)
    {
        Assert.Equal(uid, PodCgroup.PodUid(cgroup));
    }

    [Fact]
    public void PodLogDirectories_Parse_NamesPodsByUid()
    {
        var pods = PodLogDirectories.Parse(["media_jellyfin-7d4b9c_5f0c2a4e-1b7d-4c39-9a43-0d5b8e6f7a21", "kube-system_coredns-5d78c9869d-x2x9z_0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "stray", "a_b"]);

        Assert.Equal(2, pods.Count);
        Assert.Equal(("media", "jellyfin-7d4b9c"), pods["5f0c2a4e-1b7d-4c39-9a43-0d5b8e6f7a21"]);
        Assert.Equal(("kube-system", "coredns-5d78c9869d-x2x9z"), pods["0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"]);
    }

    [Theory]
    [InlineData("rpc_wait_bit_killable", true)]
    [InlineData("rpc_wait_bit_killable\n", true)]
    [InlineData("nfs_wait_bit_killable", true)]
    [InlineData("__rpc_execute", true)]
    [InlineData("nfs_page_group_lock", true)]
    [InlineData("nfs4_wait_clnt_recover", true)]
    [InlineData("io_schedule", false)]
    [InlineData("request_wait_answer", false)]
    [InlineData("0", false)]
    [InlineData("", false)]
    public void WaitChannels_NfsDefaults_MatchNfsAndRpcWaitsOnly(string channel, bool matches)
    {
        Assert.Equal(matches, new WaitChannels(WaitChannels.NfsDefaults).Matches(channel));
    }

    [Fact]
    public void WaitChannels_Configured_ReplaceTheDefaults()
    {
        var fuse = new WaitChannels(["request_wait_answer", "fuse_*"]);

        Assert.True(fuse.Matches("request_wait_answer"));
        Assert.True(fuse.Matches("fuse_dev_do_read"));
        Assert.False(fuse.Matches("rpc_wait_bit_killable"));
    }
}
