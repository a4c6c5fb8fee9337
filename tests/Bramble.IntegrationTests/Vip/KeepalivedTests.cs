using System.Globalization;
using System.Text.RegularExpressions;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Vip;

/// <summary>
/// keepalived 2.2.7 (VRRPv3, advert_int 0.1) on node namespaces of a test-made lab; the agent in the observer
/// namespace must see on the wire what keepalived does: one holder in steady state, two when VRRP is blocked, and
/// every takeover's gratuitous ARP, also after its own interface went away and came back.
/// </summary>
public sealed partial class KeepalivedTests
{
    private const string Vip = "192.0.2.100";

    [Fact]
    public async Task Once_SteadyState_OneMac_ThenVrrpBlockedOnTheBackup_BothMacs()
    {
        SkipUnlessKeepalived();
        await VipWireTests.InLabAsync(2, async lab =>
        {
            using var temp = new TempDirectory();
            using var master = StartKeepalived(lab, 1, priority: 100, temp.Path);
            using var backup = StartKeepalived(lab, 2, priority: 90, temp.Path);
            await WaitForAsync(() => NetworkLab.HasAddress(lab.Node(1), Vip) && !NetworkLab.HasAddress(lab.Node(2), Vip), "n1 holding the VIP alone");

            var steady = await VipWireTests.ObserveOnceAsync(lab);
            Assert.Equal([NetworkLab.NodeMac(1)], VipWireTests.Macs(steady));

            // The backup stops hearing the master's adverts, becomes master too: split brain on the wire.
            NetworkLab.Run("ip", "netns", "exec", lab.Node(2), "nft", "add table inet bt; add chain inet bt input { type filter hook input priority 0; }; add rule inet bt input ip protocol 112 drop");
            await WaitForAsync(() => NetworkLab.HasAddress(lab.Node(2), Vip), "n2 taking the VIP as well");
            Assert.True(NetworkLab.HasAddress(lab.Node(1), Vip));

            var split = await VipWireTests.ObserveOnceAsync(lab);
            Assert.Equal([NetworkLab.NodeMac(1), NetworkLab.NodeMac(2)], VipWireTests.Macs(split).Order(StringComparer.Ordinal));
        });
    }

    [Fact]
    public async Task Service_HearsEachTakeoversGratuitousArp_AndReopensItsSocketWhenTheInterfaceComesBack()
    {
        SkipUnlessKeepalived();
        await VipWireTests.InLabAsync(2, async lab =>
        {
            using var temp = new TempDirectory();
            using var agent = NetworkLab.StartIn(lab.Observer, "agent (service)", "dotnet",
            [
                RepoLayout.AgentDll, "--Agent:NodeName=obs", "--Agent:AggregatorAddress=http://127.0.0.1:9",
                "--Agent:ProbeInterval=00:00:01", $"--Vip:Watch:0:Address={Vip}", "--Vip:Watch:0:Interface=eth0",
            ]);
            await agent.WaitForLineAsync(ListeningLine(), TimeSpan.FromSeconds(30));

            using var first = StartKeepalived(lab, 1, priority: 90, temp.Path);
            await agent.WaitForLineAsync(NewOwnerLine(NetworkLab.NodeMac(1), "nobody"), TimeSpan.FromSeconds(10));

            lab.UnplugObserver();
            await agent.WaitForLineAsync(LostLine(), TimeSpan.FromSeconds(10));
            lab.ReplugObserver();
            await WaitForAsync(() => ListeningLine().Count(agent.Output) >= 2, "the listener reopening on the new eth0");

            // A higher priority preempts: the takeover is announced by the new holder, heard on the reopened socket.
            using var second = StartKeepalived(lab, 2, priority: 100, temp.Path);
            await agent.WaitForLineAsync(NewOwnerLine(NetworkLab.NodeMac(2), NetworkLab.NodeMac(1)), TimeSpan.FromSeconds(10));
            Assert.False(agent.HasExited, agent.Output);
        });
    }

    private static ManagedProcess StartKeepalived(NetworkLab lab, int node, int priority, string directory)
    {
        var config = Path.Combine(directory, $"n{node}.conf");
        File.WriteAllText(config, string.Create(CultureInfo.InvariantCulture, $$"""
            global_defs {
              router_id bt_n{{node}}
              vrrp_version 3
            }
            vrrp_instance bt_vip {
              state BACKUP
              interface eth0
              virtual_router_id 51
              priority {{priority}}
              advert_int 0.1
              virtual_ipaddress {
                {{Vip}}/32 dev eth0
              }
            }
            """));
        return NetworkLab.StartIn(lab.Node(node), $"keepalived n{node}", "keepalived",
        [
            "-n", "-l", "-D", "-P", "-f", config,
            "-p", Path.Combine(directory, $"n{node}.pid"), "-r", Path.Combine(directory, $"n{node}.vrrp.pid"),
        ]);
    }

    private static Task<bool> WaitForAsync(Func<bool> condition, string what) =>
        Eventually.WaitAsync(() => Task.FromResult(condition()), done => done, TimeSpan.FromSeconds(10), what);

    private static void SkipUnlessKeepalived()
    {
        Assert.SkipWhen(NetworkLab.SkipReason.Length > 0, NetworkLab.SkipReason);
        Assert.SkipUnless(File.Exists("/usr/sbin/keepalived") && File.Exists("/usr/sbin/nft"),
            "keepalived and nftables are not installed (./test.sh installs them as root)");
    }

    private static Regex NewOwnerLine(string mac, string previous) =>
        new($"Gratuitous ARP for {Regex.Escape(Vip)} from {mac} \\(the last one came from {previous}\\)");

    [GeneratedRegex("Listening for gratuitous ARP on eth0")]
    private static partial Regex ListeningLine();

    [GeneratedRegex("Gratuitous ARP listener on eth0 lost its socket")]
    private static partial Regex LostLine();
}
