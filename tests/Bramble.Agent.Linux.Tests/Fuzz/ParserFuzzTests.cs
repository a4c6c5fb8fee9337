using Bramble.Agent.Linux.Addresses;
using Bramble.Agent.Linux.Arp;
using Bramble.Agent.Linux.Identity;
using Bramble.Agent.Linux.KernelLog;
using Bramble.Agent.Linux.Nfs;
using Bramble.Agent.Linux.PacketFilter;
using Bramble.Agent.Linux.Processes;
using Bramble.Agent.Linux.Routing;
using Bramble.Agent.Linux.Systemd;
using Bramble.Agent.Linux.Tests.Addresses;
using Bramble.Agent.Linux.Tests.Arp;
using Bramble.Agent.Linux.Tests.Nfs;
using Bramble.Agent.Linux.Tests.PacketFilter;
using Bramble.Agent.Linux.Vitals;

namespace Bramble.Agent.Linux.Tests.Fuzz;

/// <summary>
/// Every parser of kernel text and raw frames, fed thousands of seeded mutations of real input: none may throw, and
/// none may return more than its input can hold or a value outside its domain (a non-finite or negative number, an
/// invalid field). Parsers signal garbage with null, an empty list or a rejection — never with an exception, since
/// a probe that throws on a half-written proc file would lose the whole report.
/// </summary>
public sealed class ParserFuzzTests
{
    private const int Cases = 2000;

    private const string ProcNetRoute = """
        Iface	Destination	Gateway 	Flags	RefCnt	Use	Metric	Mask		MTU	Window	IRTT
        eth0	00000000	010200C0	0003	0	0	100	00000000	0	0	0
        eth0	000200C0	00000000	0001	0	0	100	00FFFFFF	0	0	0
        wlan0	006433C6	00000000	0001	0	0	600	00FFFFFF	0	0	0

        """;

    private const string ProcNetArp = """
        IP address       HW type     Flags       HW address            Mask     Device
        192.0.2.100      0x1         0x2         02:00:00:00:00:02     *        eth0
        192.0.2.1        0x1         0x0         00:00:00:00:00:00     *        eth0

        """;

    private const string ProcSelfStat =
        "4321 (kube (proxy) x) D 1 4321 4321 0 -1 4194560 3117 0 0 0 12 7 0 0 20 0 9 0 1234 123456789 4321 18446744073709551615\n";

    private const string SystemctlShowOutput = """
        ActiveState=active
        SubState=running
        NRestarts=3
        MainPID=812
        ExecMainStatus=0
        ActiveEnterTimestampMonotonic=123456789

        """;

    private const string PressureText = "some avg10=1.25 avg60=0.50 avg300=0.10 total=123456\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n";

    [Fact]
    public void MountInfo() => Fuzz(1, NfsFixtures.Read("mountinfo.v3"), text =>
    {
        var mounts = MountInfoParser.ParseNfsMounts(text);
        Assert.InRange(mounts.Count, 0, Lines(text));
        Assert.All(mounts, m => Assert.True(MountInfoParser.IsNfs(m.FsType), m.FsType));
    });

    [Theory]
    [InlineData("mountstats.v3")]
    [InlineData("mountstats.nfs40")]
    [InlineData("mountstats.nfs41")]
    public void MountStats(string fixture) => Fuzz(2, NfsFixtures.Read(fixture), text =>
        Assert.InRange(MountStatsParser.Parse(text).Count, 0, Lines(text)));

    [Fact]
    public void KernelMessages() => Fuzz(3, File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "KernelLog", "kmsg.pi")), text =>
    {
        var records = KmsgRecordParser.ParseLines(text);
        Assert.InRange(records.Count, 0, Lines(text));
        Assert.All(records, r => Assert.InRange(r.Level, 0, 7));
    });

    [Fact]
    public void ProcessStatus() => Fuzz(4, ProcSelfStat, text =>
    {
        if (ProcessStat.Parse(text) is { } stat)
        {
            Assert.True(stat.Pid > 0, $"pid {stat.Pid}");
        }
    });

    [Fact]
    public void Vitals() => Fuzz(5, ProcText.MemInfo + ProcText.LoadAvg + ProcText.Uptime + PressureText, text =>
    {
        _ = MemoryInfo.Parse(text);
        if (LoadAverage.Parse(text) is { } load)
        {
            Assert.True(double.IsFinite(load.One) && load.One >= 0, $"load {load.One}");
        }

        if (Uptime.Parse(text) is { } uptime)
        {
            Assert.True(double.IsFinite(uptime) && uptime >= 0, $"uptime {uptime}");
        }

        if (PressureStall.Parse(text) is { } pressure)
        {
            Assert.InRange(pressure.Some.Avg10, 0, 100);
        }

        _ = ThrottleFlags.Parse(text);
        _ = BootId.Parse(text);
        _ = ThermalZones.ParseMillidegrees(text);
        _ = BlockDeviceStat.ParseWrittenBytes(text);
        _ = RootFileSystem.IsReadOnly(text);
        _ = RootFileSystem.BlockDevice(text);
    });

    [Fact]
    public void RoutesNeighboursAndAddresses() => Fuzz(6, ProcNetRoute + ProcNetArp + NodeAddressesTests.FibTrie, text =>
    {
        Assert.InRange(Ipv4RouteTable.Parse(text).Routes.Count, 0, Lines(text));
        Assert.InRange(NeighbourTable.Parse(text).Count, 0, Lines(text));
        Assert.InRange(LocalIpv4Addresses.Parse(text).Count, 0, Lines(text));
        Assert.InRange(NodeAddresses.Parse(text, NodeAddressesTests.IfInet6).Count, 0, Lines(text) + Lines(NodeAddressesTests.IfInet6));
    });

    [Fact]
    public void SystemdUnitState() => Fuzz(7, SystemctlShowOutput, text => _ = SystemctlShow.Parse("kubelet.service", text));

    [Fact]
    public void ArpFrames()
    {
        var seeds = new[]
        {
            CapturedFrames.KernelRequest, CapturedFrames.KernelReply, CapturedFrames.KernelGratuitousRequestForVip,
            CapturedFrames.AgentProbeRequest, CapturedFrames.KernelReplyToProbe, CapturedFrames.KeepalivedGratuitousArp,
        }.Select(CapturedFrames.Bytes).ToArray();
        FuzzFrames(8, seeds, frame =>
        {
            var result = ArpFrameCodec.Parse(frame);
            Assert.True(result.Frame is null != (result.Rejection is null), "exactly one of frame and rejection");
        });
    }

    [Fact]
    public void Ipv4Frames()
    {
        var seeds = new[]
        {
            CapturedIpv4Frames.TcpSynToVipAtStaleMac, CapturedIpv4Frames.UdpToVipAtStaleMac,
            CapturedIpv4Frames.TcpSynToNodeAddress, CapturedIpv4Frames.TcpResetFromNode,
        }.Select(CapturedIpv4Frames.Bytes).ToArray();
        FuzzFrames(9, seeds, frame => _ = Ipv4FrameAddressing.TryParse(frame));
    }

    [Fact]
    public void RpcReplies()
    {
        // A NULL-procedure reply as an NFS server sends it: xid, REPLY, MSG_ACCEPTED, AUTH_NONE verifier, SUCCESS.
        byte[] accepted = [0x12, 0x34, 0x56, 0x78, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        FuzzFrames(10, [accepted], message =>
        {
            _ = RpcReply.Decode(message);
            if (message.Length >= 4)
            {
                var (_, length) = RpcReply.DecodeRecordMark(message.AsSpan(0, 4));
                Assert.True(length >= 0, $"record length {length}");
            }
        });
    }

    private static int Lines(string text) => text.Count(c => c == '\n') + 1;

    private static void Fuzz(int seed, string original, Action<string> parse)
    {
        var mutations = new Mutations(seed);
        parse(original);
        for (var i = 0; i < Cases; i++)
        {
            var input = mutations.Mutate(original);
            Replayable(seed, i, input.Length > 200 ? input[..200] + "…" : input, () => parse(input));
        }
    }

    private static void FuzzFrames(int seed, byte[][] originals, Action<byte[]> parse)
    {
        var mutations = new Mutations(seed);
        for (var i = 0; i < Cases; i++)
        {
            var input = mutations.Mutate(originals[i % originals.Length]);
            Replayable(seed, i, Convert.ToHexString(input), () => parse(input));
        }
    }

    private static void Replayable(int seed, int index, string shown, Action check)
    {
        try
        {
            check();
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"seed {seed}, case {index}: {e.GetType().Name}: {e.Message}\ninput: {shown}", e);
        }
    }
}
