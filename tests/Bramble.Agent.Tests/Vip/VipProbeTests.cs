using System.Net;
using System.Net.Sockets;
using Bramble.Agent.Linux.FileSystem;
using Bramble.Agent.Probes.Vip;
using Bramble.Protos.V1;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Tests.Vip;

public sealed class VipProbeTests : IDisposable
{
    private static readonly HostPaths Paths = new("/host/proc", "/host/sys");

    // /proc/net/route of a node with eth0 on 192.0.2.0/24 (little-endian hex, as the kernel prints it).
    private const string Route =
        "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n" +
        "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n";

    private const string FibTrieWithVip = """
        Main:
          +-- 192.0.2.0/24 2 0 1
             |-- 192.0.2.9
                /32 host LOCAL
             |-- 192.0.2.100
                /32 host LOCAL
        """;

    private readonly WatchedTime _time = new();
    private readonly FakeArpChannel _channel = new();
    private readonly GratuitousArpLog _gratuitous = new();
    private readonly MisdeliveredFrames _misdelivered = new();
    private readonly Bramble.Agent.Probing.ProbeWakeup _wakeup = new();
    private readonly InMemoryFileSystem _fs = new InMemoryFileSystem().Add("/host/proc/net/route", Route);

    [Fact]
    public async Task Probe_NoVipsConfigured_IsNothingToProbe()
    {
        var result = await Probe(new VipOptions()).ProbeAsync(TestContext.Current.CancellationToken);

        Assert.Equal(ProbeStatus.NothingToProbe, result.Status);
        Assert.Contains("Vip:Watch", result.Detail, StringComparison.Ordinal);
        Assert.Empty(_channel.Opened);
    }

    [Fact]
    public async Task Probe_TwoMacsAnswerInTheWindow_ReportsBothWithLatencyAndCounts()
    {
        var probe = Probe(Options("192.0.2.100"));
        var run = probe.ProbeAsync(TestContext.Current.CancellationToken);
        Assert.Equal(TimeSpan.FromMilliseconds(500), await _time.NextTimerAsync());

        _time.Advance(TimeSpan.FromMilliseconds(3));
        await _channel.DeliverAsync(
            _channel.Sent[0],                                        // its own request, heard on the way out
            ArpFrames.Reply("02:00:00:00:00:01", "192.0.2.100"),
            ArpFrames.Reply("02:00:00:00:00:05", "192.0.2.55"),      // someone else's VIP
            ArpFrames.Reply("02:00:00:00:00:06", "192.0.2.100", toMac: "02:00:00:00:00:04"), // flooded answer to another asker
            [0x01, 0x02, 0x03],                                      // not a frame
            ArpFrames.Gratuitous("02:00:00:00:00:07", "192.0.2.100")); // an announcement, not an answer
        _time.Advance(TimeSpan.FromMilliseconds(4));
        await _channel.DeliverAsync(
            ArpFrames.Reply("02:00:00:00:00:02", "192.0.2.100"),
            ArpFrames.Reply("02:00:00:00:00:01", "192.0.2.100"));
        _time.Advance(TimeSpan.FromMilliseconds(493));
        var result = await run;

        Assert.Equal(ProbeStatus.Ok, result.Status);
        var vip = Assert.Single(Contribute(result).Vips);
        Assert.Equal("192.0.2.100", vip.Address);
        Assert.Equal("eth0", vip.Interface);
        Assert.Equal(VipMode.Auto, vip.Mode);
        Assert.False(vip.AssignedLocally);
        Assert.Equal(TimeSpan.FromMilliseconds(500), vip.Window.ToTimeSpan());
        Assert.Collection(
            vip.Responders,
            r =>
            {
                Assert.Equal("02:00:00:00:00:01", r.Mac);
                Assert.Equal(TimeSpan.FromMilliseconds(3), r.FirstReplyLatency.ToTimeSpan());
                Assert.Equal(2u, r.Replies);
            },
            r =>
            {
                Assert.Equal("02:00:00:00:00:02", r.Mac);
                Assert.Equal(TimeSpan.FromMilliseconds(7), r.FirstReplyLatency.ToTimeSpan());
                Assert.Equal(1u, r.Replies);
            });
        Assert.Equal("192.0.2.100=02:00:00:00:00:01,02:00:00:00:00:02", result.Fingerprint);
        Assert.True(_channel.Disposed);
    }

    [Fact]
    public async Task Probe_SendsOneBroadcastWhoHasPerVip_OnTheInterfaceOfTheRoute()
    {
        var run = Probe(Options("192.0.2.100", "192.0.2.101")).ProbeAsync(TestContext.Current.CancellationToken);
        await _time.NextTimerAsync();
        _time.Advance(TimeSpan.FromMilliseconds(500));
        await run;

        Assert.Equal(["eth0"], _channel.Opened);
        Assert.Equal(2, _channel.Sent.Count);
        var frames = _channel.Sent.Select(f => Linux.Arp.ArpFrameCodec.Parse(f).Frame!).ToArray();
        Assert.Equal(["192.0.2.100", "192.0.2.101"], frames.Select(f => f.TargetIp.ToString()));
        Assert.All(frames, f => Assert.Equal("ff:ff:ff:ff:ff:ff", f.EthernetDestination));
        Assert.All(frames, f => Assert.Equal("02:00:00:00:00:09", f.SenderMac));
    }

    [Fact]
    public async Task Probe_NobodyAnswers_ReportsZeroRespondersWithTheWindow()
    {
        var run = Probe(Options("192.0.2.100")).ProbeAsync(TestContext.Current.CancellationToken);
        await _time.NextTimerAsync();
        _time.Advance(TimeSpan.FromMilliseconds(500));
        var result = await run;

        var vip = Assert.Single(Contribute(result).Vips);
        Assert.Empty(vip.Responders);
        Assert.Equal(TimeSpan.FromMilliseconds(500), vip.Window.ToTimeSpan());
        Assert.Equal("192.0.2.100=", result.Fingerprint);
    }

    [Fact]
    public async Task Probe_VipOnALocalInterface_IsAssignedLocally()
    {
        _fs.Add("/host/proc/net/fib_trie", FibTrieWithVip);
        var run = Probe(Options("192.0.2.100")).ProbeAsync(TestContext.Current.CancellationToken);
        await _time.NextTimerAsync();
        _time.Advance(TimeSpan.FromMilliseconds(500));
        var result = await run;

        Assert.True(Assert.Single(Contribute(result).Vips).AssignedLocally);
        Assert.Equal("192.0.2.100=;local", result.Fingerprint);
    }

    [Fact]
    public async Task Probe_NeighbourEntryAndInterfaceTraps_AreReadLocally()
    {
        _fs.Add("/host/proc/net/arp", "IP address       HW type     Flags       HW address            Mask     Device\n" +
                                      "192.0.2.100      0x1         0x2         02:00:00:00:00:02     *        eth0\n")
           .Add("/host/sys/class/net/eth0/flags", "0x1103\n")
           .Add("/host/sys/class/net/eth0/uevent", "DEVTYPE=wlan\n")
           .Add("/host/proc/sys/net/ipv4/conf/eth0/arp_ignore", "1\n")
           .Add("/host/proc/sys/net/ipv4/conf/all/arp_announce", "2\n")
           .Add("/host/sys/class/net/kube-ipvs0/flags", "0x82\n");
        var run = Probe(Options("192.0.2.100")).ProbeAsync(TestContext.Current.CancellationToken);
        await _time.NextTimerAsync();
        _time.Advance(TimeSpan.FromMilliseconds(500));
        var result = await run;

        var vip = Assert.Single(Contribute(result).Vips);
        Assert.Equal("02:00:00:00:00:02", vip.NeighbourMac);
        Assert.True(vip.InterfaceWireless);
        Assert.True(vip.InterfacePromiscuous);
        Assert.Equal(1, vip.ArpIgnore);
        Assert.Equal(2, vip.ArpAnnounce);
        Assert.True(vip.KubeIpvs0Present);
        Assert.Equal("192.0.2.100=;neighbour=02:00:00:00:00:02", result.Fingerprint);
    }

    [Fact]
    public async Task Probe_LastGratuitousArp_IsReported()
    {
        var at = new DateTimeOffset(2026, 11, 26, 8, 59, 58, 250, TimeSpan.Zero);
        _gratuitous.Record(IPAddress.Parse("192.0.2.100"), new GratuitousArpSighting(at, "02:00:00:00:00:03"));
        var run = Probe(Options("192.0.2.100")).ProbeAsync(TestContext.Current.CancellationToken);
        await _time.NextTimerAsync();
        _time.Advance(TimeSpan.FromMilliseconds(500));

        var vip = Assert.Single(Contribute(await run).Vips);
        Assert.Equal(at, vip.LastGratuitousArpAt.ToDateTimeOffset());
        Assert.Equal("02:00:00:00:00:03", vip.LastGratuitousArpMac);
    }

    [Fact]
    public async Task Probe_ProbedAt_IsTheWallClockTimeTheRequestWentOut()
    {
        _time.Advance(TimeSpan.FromMilliseconds(1234));
        var sentAt = _time.GetUtcNow();
        var run = Probe(Options("192.0.2.100")).ProbeAsync(TestContext.Current.CancellationToken);
        await _time.NextTimerAsync();
        _time.Advance(TimeSpan.FromMilliseconds(2));
        await _channel.DeliverAsync(ArpFrames.Reply("02:00:00:00:00:01", "192.0.2.100"));
        _time.Advance(TimeSpan.FromMilliseconds(498));

        var vip = Assert.Single(Contribute(await run).Vips);
        Assert.Equal(sentAt, vip.ProbedAt.ToDateTimeOffset());

        // The reply time on the agent clock is probed_at + latency.
        Assert.Equal(sentAt.AddMilliseconds(2), vip.ProbedAt.ToDateTimeOffset() + vip.Responders[0].FirstReplyLatency.ToTimeSpan());
    }

    [Fact]
    public async Task Report_GratuitousArpsSinceThePreviousReport_OldestFirst_EachInOneReportOnly()
    {
        var vipAddress = IPAddress.Parse("192.0.2.100");
        var t0 = new DateTimeOffset(2026, 11, 26, 8, 59, 58, 0, TimeSpan.Zero);
        _gratuitous.Record(vipAddress, new GratuitousArpSighting(t0, "02:00:00:00:00:01"));
        _gratuitous.Record(vipAddress, new GratuitousArpSighting(t0.AddMilliseconds(300), "02:00:00:00:00:02"));
        _gratuitous.Record(IPAddress.Parse("192.0.2.55"), new GratuitousArpSighting(t0, "02:00:00:00:00:05"));
        var run = Probe(Options("192.0.2.100")).ProbeAsync(TestContext.Current.CancellationToken);
        await _time.NextTimerAsync();
        _time.Advance(TimeSpan.FromMilliseconds(500));
        var result = await run;

        var first = Assert.Single(Contribute(result).Vips);
        Assert.Equal(
            [(t0, "02:00:00:00:00:01"), (t0.AddMilliseconds(300), "02:00:00:00:00:02")],
            first.GratuitousArps.Select(g => (g.HeardAt.ToDateTimeOffset(), g.Mac)));

        // The next report made from the same probe run carries only what was heard since.
        _gratuitous.Record(vipAddress, new GratuitousArpSighting(t0.AddSeconds(5), "02:00:00:00:00:02"));
        var second = Assert.Single(Contribute(result).Vips);
        Assert.Equal([(t0.AddSeconds(5), "02:00:00:00:00:02")], second.GratuitousArps.Select(g => (g.HeardAt.ToDateTimeOffset(), g.Mac)));
        Assert.Equal("02:00:00:00:00:02", second.LastGratuitousArpMac);
        Assert.Empty(Assert.Single(Contribute(result).Vips).GratuitousArps);

        // The first report was not changed by making the others.
        Assert.Equal(2, first.GratuitousArps.Count);
    }

    [Fact]
    public async Task Report_MisdeliveredFrames_AreReportedAsCountedWhenTheReportIsMade()
    {
        var vipAddress = IPAddress.Parse("192.0.2.100");
        var run = Probe(Options("192.0.2.100")).ProbeAsync(TestContext.Current.CancellationToken);
        await _time.NextTimerAsync();
        _time.Advance(TimeSpan.FromMilliseconds(500));
        var result = await run;
        Assert.Equal(0ul, Assert.Single(Contribute(result).Vips).MisdeliveredFramesTotal);

        var at = _time.GetUtcNow();
        _misdelivered.Count(vipAddress, at.AddSeconds(-1), "02:00:00:00:00:0a");
        _misdelivered.Count(vipAddress, at, "02:00:00:00:00:09");

        var vip = Assert.Single(Contribute(result).Vips);
        Assert.Equal(2ul, vip.MisdeliveredFramesTotal);
        Assert.Equal(at, vip.LastMisdeliveredAt.ToDateTimeOffset());
        Assert.Equal("02:00:00:00:00:09", vip.LastMisdeliveredSourceMac);
    }

    [Fact]
    public async Task Probe_WithoutCapNetRaw_IsAnErrorThatSaysSo()
    {
        _channel.OpenFailure = new ArpChannelUnavailableException("cannot open a raw packet socket (AccessDenied): the agent needs CAP_NET_RAW") { MissingCapability = true };

        var result = await Probe(Options("192.0.2.100")).ProbeAsync(TestContext.Current.CancellationToken);

        Assert.Equal(ProbeStatus.Error, result.Status);
        Assert.Contains("CAP_NET_RAW", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probe_InterfaceMissing_IsAnErrorNotADarkVip()
    {
        _channel.OpenFailure = new ArpChannelUnavailableException("interface eth0 not found under /host/sys/class/net");

        var result = await Probe(Options("192.0.2.100")).ProbeAsync(TestContext.Current.CancellationToken);

        Assert.Equal(ProbeStatus.Error, result.Status);
        Assert.Contains("interface eth0 not found", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probe_OneVipWithoutRoute_IsLeftOutAndNamed_TheOtherIsObserved()
    {
        var run = Probe(Options("198.51.100.100", "192.0.2.100")).ProbeAsync(TestContext.Current.CancellationToken);
        await _time.NextTimerAsync();
        _time.Advance(TimeSpan.FromMilliseconds(500));
        var result = await run;

        Assert.Equal(ProbeStatus.Ok, result.Status);
        Assert.Contains("198.51.100.100: no route to it", result.Detail, StringComparison.Ordinal);
        Assert.Equal("192.0.2.100", Assert.Single(Contribute(result).Vips).Address);
        Assert.Equal(["eth0"], _channel.Opened);
    }

    [Fact]
    public async Task Probe_ConfiguredInterfaceAndMode_AreUsed()
    {
        var options = Options("198.51.100.100");
        options.Watch[0].Interface = "wlan0";
        options.Watch[0].Mode = "metallb-l2";
        var run = Probe(options).ProbeAsync(TestContext.Current.CancellationToken);
        await _time.NextTimerAsync();
        _time.Advance(TimeSpan.FromMilliseconds(500));

        var vip = Assert.Single(Contribute(await run).Vips);
        Assert.Equal(["wlan0"], _channel.Opened);
        Assert.Equal("wlan0", vip.Interface);
        Assert.Equal(VipMode.MetallbL2, vip.Mode);
    }

    [Fact]
    public async Task Probe_WithinTheInterval_RepeatsTheLastObservationWithoutAsking()
    {
        var options = Options("192.0.2.100");
        options.Interval = TimeSpan.FromSeconds(30);
        var probe = Probe(options);
        var run = probe.ProbeAsync(TestContext.Current.CancellationToken);
        await _time.NextTimerAsync();
        _time.Advance(TimeSpan.FromMilliseconds(500));
        var first = await run;

        _time.Advance(TimeSpan.FromSeconds(10));
        var second = await probe.ProbeAsync(TestContext.Current.CancellationToken);

        Assert.Same(first, second);
        Assert.Single(_channel.Opened);
    }

    [Fact]
    public async Task Probe_WithinTheInterval_AfterANewAnnouncerWasHeard_AsksTheWireAgain()
    {
        var options = Options("192.0.2.100");
        options.Interval = TimeSpan.FromSeconds(30);
        var announcements = new VipAnnouncements(_wakeup, Microsoft.Extensions.Options.Options.Create(options));
        var probe = Probe(options, announcements);
        var run = probe.ProbeAsync(TestContext.Current.CancellationToken);
        await _time.NextTimerAsync();
        _time.Advance(TimeSpan.FromMilliseconds(500));
        var first = await run;

        // Nobody answered that round, so any announcer is new.
        Assert.True(announcements.Heard(IPAddress.Parse("192.0.2.100"), "02:00:00:00:00:02"));
        _time.Advance(TimeSpan.FromSeconds(10));
        run = probe.ProbeAsync(TestContext.Current.CancellationToken);
        await _time.NextTimerAsync();
        _time.Advance(TimeSpan.FromMilliseconds(500));
        var second = await run;

        Assert.NotSame(first, second);
        Assert.Equal(2, _channel.Opened.Count);
    }

    public void Dispose() => _channel.Dispose();

    private VipProbe Probe(VipOptions options, VipAnnouncements? announcements = null) =>
        new(Microsoft.Extensions.Options.Options.Create(options), new ArpProber(_channel, _time), new PortChecker(_time), _gratuitous, _misdelivered, _fs, Paths, _time,
            announcements ?? new VipAnnouncements(_wakeup, Microsoft.Extensions.Options.Options.Create(options)));

    private static VipOptions Options(params string[] addresses)
    {
        var options = new VipOptions();
        foreach (var address in addresses)
        {
            options.Watch.Add(new VipWatchOptions { Address = address });
        }

        return options;
    }

    private static Report Contribute(Probing.ProbeResult result)
    {
        var report = new Report();
        result.Contribute!(report);
        return report;
    }
}
