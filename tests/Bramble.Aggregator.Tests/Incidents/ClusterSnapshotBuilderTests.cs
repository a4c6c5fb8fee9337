using Bramble.Aggregator.Incidents;
using Bramble.Aggregator.Nodes;
using Bramble.Engine.Cluster;
using Bramble.Engine.Rules;
using Bramble.Engine.Rules.Vip;
using Bramble.Protos.V1;
using Google.Protobuf.WellKnownTypes;

namespace Bramble.Aggregator.Tests.Incidents;

/// <summary>Reports and hellos as they arrive become the engine's views, and the rules name owners by node.</summary>
public sealed class ClusterSnapshotBuilderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);

    private static void Node(NodeDirectory nodes, string name, string mac, Action<Report> fill)
    {
        var entry = nodes.GetOrAdd(name, Now);
        entry.LastHello = new Hello { NodeName = name, Interfaces = { new Protos.V1.NetworkInterface { Name = "eth0", Mac = mac, Up = true } } };
        var report = new Report { Seq = 1, ObservedAt = Timestamp.FromDateTimeOffset(Now) };
        fill(report);
        entry.LatestReport = report;
        entry.Nfs.Update(report);
    }

    private static VipObservation Vip(bool assigned, params string[] responders)
    {
        var vip = new VipObservation { Address = "192.0.2.100", Interface = "eth0", Mode = VipMode.Keepalived, AssignedLocally = assigned };
        vip.Responders.AddRange(responders.Select(m => new ArpResponder { Mac = m, Replies = 1 }));
        return vip;
    }

    [Theory]
    [InlineData(60)]
    [InlineData(-60)]
    public void Build_WallClockStepsAnHour_LastSeenFollowsTheMonotonicClock_NoAgentSilent(int stepMinutes)
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Now);
        var nodes = new NodeDirectory();
        var entry = nodes.GetOrAdd("pi-a", Now);
        entry.Ledger.Hello("boot-1", "instance-1", "0.1.0", Now, TimeSpan.FromSeconds(1));
        entry.LastSeenTimestamp = time.GetTimestamp();
        time.Advance(TimeSpan.FromSeconds(1));
        // FakeTimeProvider's timestamp follows its wall clock; a step is the wall clock moving while the timestamp stays.
        var steppedNow = time.GetUtcNow().AddMinutes(stepMinutes);

        var node = ClusterSnapshotBuilder.Build(nodes, steppedNow, steppedNow.AddMinutes(-5), time: time).Nodes.Single();
        var silent = new Bramble.Engine.Rules.Agents.AgentSilentRule(new Bramble.Engine.Rules.Agents.AgentSilentSettings());

        Assert.Equal(steppedNow.AddSeconds(-1), node.LastSeen);
        Assert.Empty(silent.Evaluate(new ClusterSnapshot(steppedNow, steppedNow.AddMinutes(-5), [node])));
    }

    [Fact]
    public void Build_VipsAndMacs_LetTheRulesNameBothOwnersOfASplitBrain()
    {
        var nodes = new NodeDirectory();
        Node(nodes, "pi-a", "02:00:00:00:00:01", r => r.Vips.Add(Vip(assigned: true, "02:00:00:00:00:02")));
        Node(nodes, "pi-b", "02:00:00:00:00:02", r => r.Vips.Add(Vip(assigned: true, "02:00:00:00:00:01")));
        Node(nodes, "pi-c", "02:00:00:00:00:03", r => r.Vips.Add(Vip(assigned: false, "02:00:00:00:00:01", "02:00:00:00:00:02")));

        var snapshot = ClusterSnapshotBuilder.Build(nodes, Now, Now.AddMinutes(-5));
        var finding = Assert.Single(new RuleEngine([new VipSplitBrainRule(new RuleSettings())], []).Evaluate(snapshot).Findings);

        Assert.Equal(["02:00:00:00:00:01"], snapshot.Nodes.Single(n => n.Name == "pi-a").Macs);
        Assert.Equal("pi-a,pi-b", finding.Evidence["holders"]);
        Assert.Contains("pi-b (02:00:00:00:00:02)", finding.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_NfsSection_MapsStateErrnoPingAndDrift()
    {
        var nodes = new NodeDirectory();
        Node(nodes, "pi-a", "02:00:00:00:00:01", r => r.NfsMounts.Add(new NfsMount
        {
            MountPoint = "/mnt/nas",
            Server = "192.0.2.10",
            State = NfsMountState.Error,
            ProbeErrno = 116,
            ProbeDetail = "write: ESTALE",
            ServerReachable = false,
            OptionDrift = { "expected hard, found soft" },
        }));

        var mount = Assert.Single(ClusterSnapshotBuilder.Build(nodes, Now, Now).Nodes.Single().NfsMounts);

        Assert.Equal(NfsHealth.Error, mount.Health);
        Assert.Equal(116, mount.Errno);
        Assert.False(mount.ServerReachable);
        Assert.Equal(["expected hard, found soft"], mount.OptionDrift);
    }

    [Fact]
    public void Build_NoPingMade_LeavesReachabilityUnknown()
    {
        var nodes = new NodeDirectory();
        Node(nodes, "pi-a", "02:00:00:00:00:01", r => r.NfsMounts.Add(new NfsMount { MountPoint = "/mnt/nas", Server = "192.0.2.10", State = NfsMountState.Ok }));

        Assert.Null(Assert.Single(ClusterSnapshotBuilder.Build(nodes, Now, Now).Nodes.Single().NfsMounts).ServerReachable);
    }
}
