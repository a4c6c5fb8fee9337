using System.Globalization;
using System.Text.RegularExpressions;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Vip;

/// <summary>
/// keepalived 2.2.7 (VRRPv3, advert_int 0.1) on node namespaces of a test-made lab; the agent in the observer
/// namespace must see on the wire what keepalived does: one holder in steady state, two when VRRP is blocked, and
/// every takeover's gratuitous ARP; and all three of its raw sockets (the ARP prober's, the gratuitous-ARP
/// listener's and the misdelivery listener's) must work again after its interface was deleted and made anew.
/// </summary>
public sealed partial class KeepalivedTests
{
    private const string Vip = Keepalived.Vip;

    [Fact]
    public async Task Once_SteadyState_OneMac_ThenVrrpBlockedOnTheBackup_BothMacs()
    {
        SkipUnlessKeepalived();
        await VipWireTests.InLabAsync(2, async lab =>
        {
            using var temp = new TempDirectory();
            using var master = Keepalived.Start(lab, 1, priority: 100, temp.Path);
            using var backup = Keepalived.Start(lab, 2, priority: 90, temp.Path);
            await Keepalived.WaitForAsync(() => NetworkLab.HasAddress(lab.Node(1), Vip) && !NetworkLab.HasAddress(lab.Node(2), Vip), "n1 holding the VIP alone");

            var steady = await VipWireTests.ObserveOnceAsync(lab);
            Assert.Equal([NetworkLab.NodeMac(1)], VipWireTests.Macs(steady));

            // The backup stops hearing the master's adverts, becomes master too: split brain on the wire.
            Keepalived.BlockVrrp(lab, 2);
            await Keepalived.WaitForAsync(() => NetworkLab.HasAddress(lab.Node(2), Vip), "n2 taking the VIP as well");
            Assert.True(NetworkLab.HasAddress(lab.Node(1), Vip));

            var split = await VipWireTests.ObserveOnceAsync(lab);
            Assert.Equal([NetworkLab.NodeMac(1), NetworkLab.NodeMac(2)], VipWireTests.Macs(split).Order(StringComparer.Ordinal));
        });
    }

    [Fact]
    public async Task Service_InterfaceDeletedAndMadeAnew_ProberGratuitousArpAndMisdeliverySocketsAllReopen()
    {
        SkipUnlessKeepalived();
        await VipWireTests.InLabAsync(2, async lab =>
        {
            using var temp = new TempDirectory();

            // The aggregator listens on the observer namespace's own loopback, which outlives its eth0.
            using var aggregator = NetworkLab.StartIn(lab.Observer, "aggregator", "dotnet",
            [
                RepoLayout.AggregatorDll, "--Aggregator:GrpcUrl=http://127.0.0.1:9731", "--Aggregator:HttpUrl=http://127.0.0.1:9730", "--Aggregator:AgentAuthentication=None",
                $"--Aggregator:DataDirectory={Path.Combine(temp.Path, "data")}", "--Rules:ClockSkew:Enabled=false",
            ]);
            await aggregator.WaitForLineAsync(AggregatorRunningLine(), TimeSpan.FromSeconds(60));
            using var agent = NetworkLab.StartIn(lab.Observer, "agent (service)", "dotnet",
            [
                RepoLayout.AgentDll, "--Agent:NodeName=obs", "--Agent:AggregatorAddress=http://127.0.0.1:9731",
                "--Agent:ReportInterval=00:00:00.5", "--Agent:ProbeInterval=00:00:00.5", $"--Vip:Watch:0:Address={Vip}", "--Vip:Watch:0:Interface=eth0",
            ]);
            await agent.WaitForLineAsync(ListeningLine(), TimeSpan.FromSeconds(60));
            await agent.WaitForLineAsync(CountingLine(), TimeSpan.FromSeconds(10));

            using var first = Keepalived.Start(lab, 1, priority: 90, temp.Path);
            await agent.WaitForLineAsync(NewOwnerLine(NetworkLab.NodeMac(1), "nobody"), TimeSpan.FromSeconds(15));
            await WaitForRespondersAsync(lab, NetworkLab.NodeMac(1));
            SendMisdeliveredFrame(lab, 2, "02:00:00:00:00:0b");
            await agent.WaitForLineAsync(MisdeliveredLine("02:00:00:00:00:0b"), TimeSpan.FromSeconds(10));

            lab.UnplugObserver();
            await agent.WaitForLineAsync(LostLine(), TimeSpan.FromSeconds(10));
            await agent.WaitForLineAsync(MisdeliveryLostLine(), TimeSpan.FromSeconds(10));
            await Eventually.WaitAsync(() => Task.FromResult(VipProbe(lab)), p => p.Contains("error", StringComparison.Ordinal),
                TimeSpan.FromSeconds(15), "the VIP probe failing while eth0 is gone");
            lab.ReplugObserver();
            await Keepalived.WaitForAsync(() => ListeningLine().Count(agent.Output) >= 2, "the gratuitous-ARP listener reopening on the new eth0");
            await Keepalived.WaitForAsync(() => CountingLine().Count(agent.Output) >= 2, "the misdelivery listener reopening on the new eth0");

            // The prober opens a socket per round: it works again on the new interface.
            await Eventually.WaitAsync(() => Task.FromResult(VipProbe(lab)), p => p.StartsWith("ok", StringComparison.Ordinal),
                TimeSpan.FromSeconds(15), "the VIP probe working again");

            // The misdelivery listener: a frame from a new source is counted on the reopened socket.
            SendMisdeliveredFrame(lab, 2, "02:00:00:00:00:0c");
            await agent.WaitForLineAsync(MisdeliveredLine("02:00:00:00:00:0c"), TimeSpan.FromSeconds(10));

            // The gratuitous-ARP listener: a higher priority preempts; its takeover is heard on the reopened socket.
            using var second = Keepalived.Start(lab, 2, priority: 100, temp.Path);
            await agent.WaitForLineAsync(NewOwnerLine(NetworkLab.NodeMac(2), NetworkLab.NodeMac(1)), TimeSpan.FromSeconds(15));

            // And the prober's windows on the new interface show the new holder alone (this agent is the only observer).
            await Eventually.WaitAsync(() => Task.FromResult(Owners(lab)), o => o == NetworkLab.NodeMac(2), TimeSpan.FromSeconds(15), "n2 as the only owner the observer hears");
            Assert.False(agent.HasExited, agent.Output);
        });
    }

    private static void SkipUnlessKeepalived() => Assert.SkipWhen(Keepalived.SkipReason.Length > 0, Keepalived.SkipReason);

    /// <summary>
    /// A raw IPv4/UDP frame for the VIP, Ethernet destination the observer's MAC, sent from node N's eth0 with the
    /// given Ethernet source: what a stale cache upstream sends to a node that does not hold the VIP. The IPv4 header
    /// checksum must be right: with br_netfilter loaded (as on this machine) the lab's bridge drops a bad one.
    /// </summary>
    private static void SendMisdeliveredFrame(NetworkLab lab, int node, string sourceMac) =>
        NetworkLab.Run("ip", "netns", "exec", lab.Node(node), "python3", "-c", string.Create(CultureInfo.InvariantCulture, $$"""
            import socket, struct
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
            s.bind(("eth0", 0x0800))
            eth = bytes.fromhex("{{NetworkLab.ObserverMac.Replace(":", "", StringComparison.Ordinal)}}") + bytes.fromhex("{{sourceMac.Replace(":", "", StringComparison.Ordinal)}}") + b"\x08\x00"
            ip = bytearray([0x45, 0, 0, 30, 0, 0, 0x40, 0, 64, 17, 0, 0, 192, 0, 2, {{node}}]) + socket.inet_aton("{{Vip}}")
            c = sum(struct.unpack("!10H", ip))
            c = (c & 0xffff) + (c >> 16)
            c = (c & 0xffff) + (c >> 16)
            ip[10:12] = struct.pack("!H", ~c & 0xffff)
            udp = bytes([0x30, 0x39, 0, 9, 0, 10, 0, 0]) + b"bt"
            for _ in range(3):
                s.send(eth + ip + udp)
            """));

    /// <summary>The observer's VIP probe as the aggregator last heard it: "status: detail".</summary>
    private static string VipProbe(NetworkLab lab)
    {
        var json = NetworkLab.Run("ip", "netns", "exec", lab.Observer, "curl", "-s", "--max-time", "5", "http://127.0.0.1:9730/api/v1/nodes");
        using var document = System.Text.Json.JsonDocument.Parse(json.Length > 0 ? json : "[]");
        foreach (var node in document.RootElement.EnumerateArray())
        {
            foreach (var probe in node.GetProperty("probes").EnumerateArray().Where(p => p.GetProperty("probe").GetString() == "vip"))
            {
                return $"{probe.GetProperty("status").GetString()}: {probe.GetProperty("detail").GetString()}";
            }
        }

        return string.Empty;
    }

    /// <summary>The VIP's owners in GET /api/v1/vips, comma-separated.</summary>
    private static string Owners(NetworkLab lab)
    {
        var json = NetworkLab.Run("ip", "netns", "exec", lab.Observer, "curl", "-s", "--max-time", "5", "http://127.0.0.1:9730/api/v1/vips");
        using var document = System.Text.Json.JsonDocument.Parse(json.Length > 0 ? json : "{}");
        return document.RootElement.TryGetProperty("vips", out var vips)
            ? string.Join(',', vips.EnumerateArray().Where(v => v.GetProperty("address").GetString() == Vip)
                .SelectMany(v => v.GetProperty("owners").EnumerateArray()).Select(o => o.GetProperty("mac").GetString()))
            : string.Empty;
    }

    /// <summary>Waits until the aggregator's metrics show the MAC's answers reaching the observer's prober.</summary>
    private static Task<string> WaitForRespondersAsync(NetworkLab lab, string mac) =>
        Eventually.WaitAsync(
            () => Task.FromResult(NetworkLab.Run("ip", "netns", "exec", lab.Observer, "curl", "-s", "--max-time", "5", "http://127.0.0.1:9730/metrics")),
            metrics => metrics.Contains($"bramble_vip_responders{{vip=\"{Vip}\",node=\"obs\"}} 1", StringComparison.Ordinal),
            TimeSpan.FromSeconds(15), $"one responder ({mac}) for the VIP at the observer");

    private static Regex NewOwnerLine(string mac, string previous) =>
        new($"Gratuitous ARP for {Regex.Escape(Vip)} from {mac} \\(the last one came from {previous}\\)");

    private static Regex MisdeliveredLine(string source) =>
        new($"Frames for {Regex.Escape(Vip)} arrive at this node's MAC from {source}");

    [GeneratedRegex("Listening for gratuitous ARP on eth0")]
    private static partial Regex ListeningLine();

    [GeneratedRegex("Counting misdelivered frames on eth0")]
    private static partial Regex CountingLine();

    [GeneratedRegex("Gratuitous ARP listener on eth0 lost its socket")]
    private static partial Regex LostLine();

    [GeneratedRegex("Misdelivery listener on eth0 lost its socket")]
    private static partial Regex MisdeliveryLostLine();

    [GeneratedRegex("bramble-aggregator .* is running")]
    private static partial Regex AggregatorRunningLine();
}
