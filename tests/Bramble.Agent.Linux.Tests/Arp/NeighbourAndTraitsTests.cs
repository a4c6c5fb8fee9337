using System.Net;
using Bramble.Agent.Linux.Arp;
using Bramble.Agent.Linux.FileSystem;

namespace Bramble.Agent.Linux.Tests.Arp;

/// <summary>/proc/net/arp and sysfs values as read (2026-11-26) in the observer namespace of the lab.</summary>
public sealed class NeighbourAndTraitsTests
{
    private static readonly HostPaths Paths = new("/host/proc", "/host/sys");

    private const string ProcNetArp =
        "IP address       HW type     Flags       HW address            Mask     Device\n" +
        "192.0.2.100      0x1         0x2         02:00:00:00:00:02     *        eth0\n" +
        "192.0.2.7        0x1         0x0         00:00:00:00:00:00     *        eth0\n";

    [Fact]
    public void NeighbourTable_CompleteEntriesOnly()
    {
        var table = NeighbourTable.Parse(ProcNetArp);

        Assert.Equal("02:00:00:00:00:02", Assert.Single(table, kv => kv.Key.Equals(IPAddress.Parse("192.0.2.100"))).Value);
        Assert.False(table.ContainsKey(IPAddress.Parse("192.0.2.7")));
    }

    [Fact]
    public void NeighbourTable_MissingOrGarbage_IsEmpty()
    {
        Assert.Empty(NeighbourTable.Read(new InMemoryFileSystem(), Paths));
        Assert.Empty(NeighbourTable.Parse("192.0.2.1 0x1 zz 02:00:00:00:00:02 * eth0\nnot a line\n"));
    }

    [Fact]
    public void Traits_OfAPlainVeth_AreNone()
    {
        var fs = new InMemoryFileSystem()
            .Add("/host/sys/class/net/eth0/flags", "0x1003\n")
            .Add("/host/sys/class/net/eth0/uevent", "INTERFACE=eth0\nIFINDEX=2\n")
            .Add("/host/proc/sys/net/ipv4/conf/all/arp_ignore", "0\n")
            .Add("/host/proc/sys/net/ipv4/conf/eth0/arp_announce", "0\n");

        Assert.Equal(new AnnouncerTraits(false, false, 0, 0, false), AnnouncerTraitsReader.Read(fs, Paths, "eth0"));
    }

    [Fact]
    public void Traits_PromiscuousWifiWithSysctlsAndIpvs_AreAllSeen()
    {
        var fs = new InMemoryFileSystem()
            .Add("/host/sys/class/net/wlan0/flags", "0x1103\n") // as read after `ip link set eth0 promisc on`
            .Add("/host/sys/class/net/wlan0/uevent", "DEVTYPE=wlan\nINTERFACE=wlan0\nIFINDEX=3\n")
            .Add("/host/sys/class/net/kube-ipvs0/flags", "0x82\n")
            .Add("/host/proc/sys/net/ipv4/conf/all/arp_ignore", "1\n")
            .Add("/host/proc/sys/net/ipv4/conf/wlan0/arp_ignore", "0\n")
            .Add("/host/proc/sys/net/ipv4/conf/all/arp_announce", "0\n")
            .Add("/host/proc/sys/net/ipv4/conf/wlan0/arp_announce", "2\n");

        Assert.Equal(new AnnouncerTraits(true, true, 1, 2, true), AnnouncerTraitsReader.Read(fs, Paths, "wlan0"));
    }

    [Theory]
    [InlineData("eth9")]
    [InlineData("../eth0")]
    public void Traits_MissingOrUnsafeInterface_AreNull(string name)
    {
        var fs = new InMemoryFileSystem().Add("/host/sys/class/net/eth0/flags", "0x1003\n");

        Assert.Null(AnnouncerTraitsReader.Read(fs, Paths, name));
    }
}
