using Bramble.Aggregator.Incidents;
using Bramble.Protos.V1;
using Google.Protobuf.WellKnownTypes;

namespace Bramble.Aggregator.Tests.Incidents;

/// <summary>The new VIP wire fields reach the engine exactly as the contract documents them.</summary>
public sealed class VipViewMapperTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);

    private static Hello Hello() => new()
    {
        NodeName = "pi-b",
        Interfaces =
        {
            new NetworkInterface { Name = "lo", Mac = "00:00:00:00:00:00" },
            new NetworkInterface { Name = "eth0", Mac = "02:00:00:00:00:02" },
            new NetworkInterface { Name = "wlan0", Mac = "02:00:00:00:00:12" },
        },
    };

    [Fact]
    public void Map_WireTimesGratuitousArpsMisdeliveryAndPorts_AreCarriedWithTheInterfacesOwnMac()
    {
        var observation = new VipObservation
        {
            Address = "192.0.2.100",
            Interface = "wlan0",
            ProbedAt = Timestamp.FromDateTimeOffset(Now),
            Responders = { new ArpResponder { Mac = "02:00:00:00:00:01", FirstReplyLatency = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(3)), Replies = 2 } },
            GratuitousArps =
            {
                new GratuitousArp { HeardAt = Timestamp.FromDateTimeOffset(Now.AddSeconds(-2)), Mac = "02:00:00:00:00:01" },
                new GratuitousArp { HeardAt = Timestamp.FromDateTimeOffset(Now.AddSeconds(-1)), Mac = "02:00:00:00:00:03" },
            },
            MisdeliveredFramesTotal = 17,
            LastMisdeliveredAt = Timestamp.FromDateTimeOffset(Now.AddSeconds(-3)),
            LastMisdeliveredSourceMac = "02:00:00:00:00:fe",
            Ports = { new PortCheck { Port = 443, Open = false, Error = "connection refused" } },
        };

        var view = Assert.Single(VipViewMapper.Map(new Report { Vips = { observation } }, Hello()));

        Assert.Equal("02:00:00:00:00:12", view.InterfaceMac);
        Assert.Equal(Now, view.ProbedAt);
        Assert.Equal(TimeSpan.FromMilliseconds(3), Assert.Single(view.Responders).FirstReplyLatency);
        Assert.Equal(["02:00:00:00:00:01", "02:00:00:00:00:03"], view.GratuitousArps.Select(g => g.Mac));
        Assert.Equal(Now.AddSeconds(-1), view.GratuitousArps[1].HeardAt);
        Assert.Equal((17ul, Now.AddSeconds(-3), "02:00:00:00:00:fe"), (view.MisdeliveredFramesTotal, view.LastMisdeliveredAt, view.LastMisdeliveredSourceMac));
        Assert.Equal((443u, false, "connection refused"), (view.Ports[0].Port, view.Ports[0].Open, view.Ports[0].Error));
    }

    [Fact]
    public void Map_AnAgentWithoutTheGratuitousArpList_FallsBackToTheLastOneHeard()
    {
        var observation = new VipObservation
        {
            Address = "192.0.2.100",
            Interface = "eth0",
            LastGratuitousArpAt = Timestamp.FromDateTimeOffset(Now),
            LastGratuitousArpMac = "02:00:00:00:00:01",
        };

        var view = Assert.Single(VipViewMapper.Map(new Report { Vips = { observation } }, Hello()));

        Assert.Equal([new Engine.Cluster.VipGratuitousArp(Now, "02:00:00:00:00:01")], view.GratuitousArps);
        Assert.Null(view.ProbedAt);
        Assert.Equal("02:00:00:00:00:02", view.InterfaceMac);
    }
}
