using Bramble.Agent.Linux.Addresses;
using Bramble.Agent.Linux.FileSystem;

namespace Bramble.Agent.Linux.Tests.Addresses;

/// <summary>
/// /proc/net/fib_trie and /proc/net/if_inet6 as the kernel writes them: a Pi's wired DHCP address with a zeroconf
/// 169.254 fallback on wlan0 and a kube-vip VIP (read in a namespace built that way, 2026-11-26), and this build
/// machine's own if_inet6 (link-local, ULA and loopback) plus a global 2001:db8 address and one whose DAD failed.
/// </summary>
public sealed class NodeAddressesTests
{
    internal const string FibTrie = """
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
             +-- 169.254.0.0/16 2 0 2
                +-- 169.254.12.0/23 2 0 2
                   |-- 169.254.12.34
                      /32 host LOCAL
                |-- 169.254.255.255
                   /32 link BROADCAST
             +-- 192.0.2.0/24 2 0 2
                +-- 192.0.2.0/26 2 0 2
                   |-- 192.0.2.0
                      /24 link UNICAST
                   |-- 192.0.2.41
                      /32 host LOCAL
                |-- 192.0.2.100
                   /32 host LOCAL
                |-- 192.0.2.255
                   /32 link BROADCAST
        Local:
          +-- 0.0.0.0/0 3 0 5
             |-- 0.0.0.0
                /0 universe UNICAST
             +-- 127.0.0.0/8 2 0 2
                +-- 127.0.0.0/31 1 0 0
                   |-- 127.0.0.0
                      /8 host LOCAL
                   |-- 127.0.0.1
                      /32 host LOCAL
             +-- 192.0.2.0/24 2 0 2
                +-- 192.0.2.0/26 2 0 2
                   |-- 192.0.2.41
                      /32 host LOCAL
                |-- 192.0.2.100
                   /32 host LOCAL

        """;

    internal const string IfInet6 =
        "fe8000000000000000fc00fffe000001 04 40 20 80     eth0\n" +
        "fd000000000000000000000000000002 04 40 00 82     eth0\n" +
        "20010db8000000000000000000000029 04 40 00 00     eth0\n" +
        "20010db80000000000000000000000ff 04 40 00 48     eth0\n" +
        "00000000000000000000000000000001 01 80 10 80       lo\n";

    [Fact]
    public void Parse_PiWithZeroconfAndVip_ListsGlobalAddressesOnceIpv4First()
    {
        var addresses = NodeAddresses.Parse(FibTrie, IfInet6);

        // Not 127.0.0.1, not 169.254.12.34, not fe80::/10, not ::1, not 2001:db8::ff (DAD failed); the VIP is on the node.
        Assert.Equal(["192.0.2.41", "192.0.2.100", "2001:db8::29", "fd00::2"], addresses);
    }

    [Fact]
    public void Parse_NothingReadable_IsEmpty()
    {
        Assert.Empty(NodeAddresses.Parse(null, null));
        Assert.Empty(NodeAddresses.Parse("garbage\n", "short line\nzz 04 40 00 00 eth0\n"));
    }

    [Fact]
    public void Read_UnderTheProcRoot()
    {
        var fs = new InMemoryFileSystem().Add("/host/proc/net/fib_trie", FibTrie);

        Assert.Equal(["192.0.2.41", "192.0.2.100"], NodeAddresses.Read(fs, new HostPaths("/host/proc", "/host/sys")));
    }
}
