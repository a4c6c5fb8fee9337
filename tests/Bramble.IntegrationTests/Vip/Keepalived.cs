using System.Globalization;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Vip;

/// <summary>keepalived 2.2.7 per node namespace (LAB.md section 1): VRRPv3, advert_int 0.1, the VIP on eth0.</summary>
internal static class Keepalived
{
    public const string Vip = "192.0.2.100";

    public static string SkipReason =>
        NetworkLab.SkipReason.Length > 0 ? NetworkLab.SkipReason
        : !File.Exists("/usr/sbin/keepalived") || !File.Exists("/usr/sbin/nft") ? "keepalived and nftables are not installed (./test.sh installs them as root)"
        : string.Empty;

    /// <summary>Starts keepalived in the foreground in node N's namespace, its pid files and config under the directory.</summary>
    public static ManagedProcess Start(NetworkLab lab, int node, int priority, string directory)
    {
        ArgumentNullException.ThrowIfNull(lab);
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

    /// <summary>
    /// Kills node N's keepalived as a crash would: SIGKILL to its VRRP child and to the parent. The parent is stopped
    /// first: killed first it would take the child down gracefully (the child dies by SIGTERM with its parent and
    /// removes the VIP), and left running it would start a new child. Killed this way the VIP stays on the interface.
    /// </summary>
    public static void Crash(ManagedProcess keepalived, int node, string directory)
    {
        ArgumentNullException.ThrowIfNull(keepalived);
        var child = int.Parse(File.ReadAllText(Path.Combine(directory, $"n{node}.vrrp.pid")).Trim(), CultureInfo.InvariantCulture);
        keepalived.Signal(Signals.Stop);
        Signals.Send(child, Signals.Kill);
        keepalived.Signal(Signals.Kill);
    }

    /// <summary>Drops VRRP (IP protocol 112) arriving in the node's namespace: it stops hearing the master and takes over.</summary>
    public static void BlockVrrp(NetworkLab lab, int node) =>
        NetworkLab.Run("ip", "netns", "exec", lab.Node(node), "nft",
            "add table inet bt; add chain inet bt input { type filter hook input priority 0; }; add rule inet bt input ip protocol 112 drop");

    public static void UnblockVrrp(NetworkLab lab, int node) =>
        NetworkLab.Run("ip", "netns", "exec", lab.Node(node), "nft", "delete table inet bt");

    public static Task<bool> WaitForAsync(Func<bool> condition, string what) =>
        Eventually.WaitAsync(() => Task.FromResult(condition()), done => done, TimeSpan.FromSeconds(15), what);
}
