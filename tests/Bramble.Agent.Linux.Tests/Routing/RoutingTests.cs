using System.Net;
using Bramble.Agent.Linux.FileSystem;
using Bramble.Agent.Linux.Routing;

namespace Bramble.Agent.Linux.Tests.Routing;

/// <summary>
/// /proc/net/route and /proc/net/fib_trie as read (2026-11-26) in a namespace with eth0 192.0.2.1/24 plus the VIP
/// 192.0.2.100/32, eth1 198.51.100.7/24 and a default route via 198.51.100.1.
/// </summary>
public sealed class RoutingTests
{
    private const string Route =
        "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT                                                       \n" +
        "eth1\t00000000\t016433C6\t0003\t0\t0\t0\t00000000\t0\t0\t0                                                                               \n" +
        "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0                                                                               \n" +
        "eth1\t006433C6\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0                                                                               \n";

    private const string FibTrieMainTable = """
        Main:
          +-- 0.0.0.0/0 3 0 5
             |-- 0.0.0.0
                /0 universe UNICAST
             +-- 127.0.0.0/8 2 0 2
                +-- 127.0.0.0/31 1 0 0
                   |-- 127.0.0.0
                      /8 host LOCAL
                   |-- 127.0.0.1
                      /32 host LOCAL
                |-- 127.255.255.255
                   /32 link BROADCAST
             +-- 192.0.0.0/5 2 0 2
                +-- 192.0.2.0/24 2 0 1
                   +-- 192.0.2.0/31 1 0 0
                      |-- 192.0.2.0
                         /24 link UNICAST
                      |-- 192.0.2.1
                         /32 host LOCAL
                   |-- 192.0.2.100
                      /32 host LOCAL
                   |-- 192.0.2.255
                      /32 link BROADCAST
                +-- 198.51.100.0/24 2 0 2
                   +-- 198.51.100.0/29 2 0 2
                      |-- 198.51.100.0
                         /24 link UNICAST
                      |-- 198.51.100.7
                         /32 host LOCAL
                   |-- 198.51.100.255
                      /32 link BROADCAST
        Local:
          +-- 0.0.0.0/0 3 0 5
             |-- 0.0.0.0
                /0 universe UNICAST
        """;

    [Theory]
    [InlineData("192.0.2.100", "eth0")]
    [InlineData("192.0.2.255", "eth0")]
    [InlineData("198.51.100.9", "eth1")]
    [InlineData("203.0.113.5", "eth1")]
    public void InterfaceFor_LongestPrefixWins(string address, string expected)
    {
        Assert.Equal(expected, Ipv4RouteTable.Parse(Route).InterfaceFor(IPAddress.Parse(address)));
    }

    [Fact]
    public void Parse_DecodesLittleEndianHexAndMasks()
    {
        var routes = Ipv4RouteTable.Parse(Route).Routes;

        Assert.Equal(3, routes.Count);
        Assert.Equal(new Ipv4Route("eth0", IPAddress.Parse("192.0.2.0"), 24, 0), routes[1]);
        Assert.Equal(0, routes[0].PrefixLength);
    }

    [Fact]
    public void InterfaceFor_TieOnPrefix_TakesTheLowestMetric()
    {
        var text = "eth0\t000200C0\t00000000\t0001\t0\t0\t600\t00FFFFFF\t0\t0\t0\n" +
                   "wlan0\t000200C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n";

        Assert.Equal("wlan0", Ipv4RouteTable.Parse(text).InterfaceFor(IPAddress.Parse("192.0.2.100")));
    }

    [Fact]
    public void Parse_RouteNotUp_OrMalformedOrNonContiguousMask_IsSkipped()
    {
        var text = "eth0\t000200C0\t00000000\t0000\t0\t0\t0\t00FFFFFF\t0\t0\t0\n" +
                   "eth1\tzzzz\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n" +
                   "eth2\t000200C0\t00000000\t0001\t0\t0\t0\t00FF00FF\t0\t0\t0\n" +
                   "eth3\t000200C0\n";

        var table = Ipv4RouteTable.Parse(text);

        Assert.Empty(table.Routes);
        Assert.Null(table.InterfaceFor(IPAddress.Parse("192.0.2.100")));
    }

    [Fact]
    public void Read_MissingFile_HasNoRoutes()
    {
        Assert.Empty(Ipv4RouteTable.Read(new InMemoryFileSystem(), HostPaths.Default).Routes);
    }

    [Fact]
    public void Read_FromProcRoot_UsesNetRoute()
    {
        var fs = new InMemoryFileSystem().Add("/host/proc/net/route", Route);

        Assert.Equal("eth0", Ipv4RouteTable.Read(fs, new HostPaths("/host/proc", "/host/sys")).InterfaceFor(IPAddress.Parse("192.0.2.100")));
    }

    [Fact]
    public void LocalAddresses_AreTheHostLocalLeaves()
    {
        var local = LocalIpv4Addresses.Parse(FibTrieMainTable);

        Assert.Equal(
            new[] { "127.0.0.1", "192.0.2.1", "192.0.2.100", "198.51.100.7" },
            local.Select(a => a.ToString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void LocalAddresses_WithoutTheVip_DoNotContainIt()
    {
        var withoutVip = FibTrieMainTable.Replace("|-- 192.0.2.100", "|-- 192.0.2.101", StringComparison.Ordinal);

        Assert.DoesNotContain(IPAddress.Parse("192.0.2.100"), LocalIpv4Addresses.Parse(withoutVip));
    }

    [Fact]
    public void LocalAddresses_MissingFile_IsEmpty()
    {
        Assert.Empty(LocalIpv4Addresses.Read(new InMemoryFileSystem(), HostPaths.Default));
    }
}
