using System.Globalization;
using System.Text.RegularExpressions;
using Bramble.IntegrationTests.Infrastructure;
using Bramble.Protos.V1;

namespace Bramble.IntegrationTests.Remediation;

/// <summary>
/// A real agent in a lab node namespace (bt-*, TEST-NET 192.0.2.0/24, deleted afterwards) sends a gratuitous-ARP burst
/// on command; a raw-socket listener in the observer namespace must hear exactly that burst on the wire. The stand-in
/// gateway listens on the node namespace's own loopback, so nothing leaves the lab.
/// </summary>
public sealed partial class GratuitousArpTests
{
    private const string Vip = "192.0.2.100";

    [Fact]
    public async Task SendGratuitousArp_AllowListedVip_ObserverHearsTheBurst_AndAnotherVipIsRefused()
    {
        Assert.SkipWhen(NetworkLab.SkipReason.Length > 0, NetworkLab.SkipReason);
        string id;
        using var state = new TempDirectory();
        using (var lab = NetworkLab.Create(1))
        {
            id = lab.Id;
            var script = Path.Combine(AppContext.BaseDirectory, "Remediation", "arp_listener.py");
            using var listener = NetworkLab.StartIn(lab.Observer, "arp listener", "python3", [script, "eth0", "120"]);
            await listener.WaitForLineAsync(ReadyLine(), TimeSpan.FromSeconds(15));
            await using var gateway = await TestGateway.StartAsync(NamespaceSocket.ListenOnLoopback(lab.Node(1)));
            using var agent = NetworkLab.StartIn(lab.Node(1), "agent n1", "dotnet",
            [
                RepoLayout.AgentDll,
                "--Agent:NodeName=n1",
                $"--Agent:AggregatorAddress={gateway.Url}",
                "--Agent:ReportInterval=00:00:01",
                $"--Remediation:GratuitousArp:0:Address={Vip}",
                "--Remediation:GratuitousArp:0:Interface=eth0",
                $"--Remediation:StateDirectory={state.Path}",
            ]);

            var hello = await gateway.Hello.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
            Assert.Contains(Capability.ExecuteCommands, hello.Capabilities);

            var refused = await gateway.ExecuteAsync(Announce("garp-0", "192.0.2.101"));
            Assert.Equal(CommandOutcome.Rejected, refused.Outcome);
            Assert.Equal($"VIP '192.0.2.101' on 'eth0' is not on this agent's allow-list (Remediation:GratuitousArp: {Vip} on eth0)", refused.Detail);

            // Allow-listed, but this node does not hold the VIP (yet): announcing it would steal it.
            var notHeld = await gateway.ExecuteAsync(Announce("garp-not-held", Vip));
            Assert.Equal(CommandOutcome.Rejected, notHeld.Outcome);
            Assert.StartsWith($"VIP '{Vip}' is not assigned to an interface of this node", notHeld.Detail, StringComparison.Ordinal);

            NetworkLab.Ip("-n", lab.Node(1), "addr", "add", $"{Vip}/32", "dev", "eth0");
            var result = await gateway.ExecuteAsync(Announce("garp-1", Vip));

            Assert.Equal(CommandOutcome.Succeeded, result.Outcome);
            Assert.Equal($"sent 3 gratuitous ARP request(s) for {Vip} from {NetworkLab.NodeMac(1)} on eth0", result.Detail);
            await Eventually.WaitAsync(() => Task.FromResult(Heard(listener)), h => h.Count >= 3, TimeSpan.FromSeconds(10), "three gratuitous ARPs at the observer");
            await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
            var heard = Heard(listener);
            Assert.Equal(3, heard.Count);
            Assert.All(heard, frame =>
            {
                Assert.Equal("1", frame.Groups["op"].Value);
                Assert.Equal("ff:ff:ff:ff:ff:ff", frame.Groups["dst"].Value);
                Assert.Equal(NetworkLab.NodeMac(1), frame.Groups["mac"].Value);
                Assert.Equal(Vip, frame.Groups["target"].Value);
            });

            var at = heard.Select(f => double.Parse(f.Groups["at"].Value, CultureInfo.InvariantCulture)).ToList();
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"gaps between frames on the wire: {string.Join(", ", at.Zip(at.Skip(1), (a, b) => $"{(b - a) * 1000:F1} ms"))}; command took {result.Duration.ToTimeSpan().TotalMilliseconds:F1} ms");
        }

        Assert.DoesNotContain(NetworkLab.ExistingNamespaces(), ns => ns.StartsWith($"bt-{id}-", StringComparison.Ordinal));
    }

    private static Command Announce(string id, string address) => new()
    {
        Id = id,
        Action = CommandAction.SendGratuitousArp,
        Arguments = { ["address"] = address, ["interface"] = "eth0" },
        IncidentId = "inc-vip",
    };

    /// <summary>Frames that claim the VIP (sender IP = the VIP), as the observer printed them.</summary>
    private static List<Match> Heard(ManagedProcess listener) =>
        [.. FrameLine().Matches(listener.Output).Where(m => m.Groups["sender"].Value == Vip)];

    [GeneratedRegex("^ready$", RegexOptions.Multiline)]
    private static partial Regex ReadyLine();

    [GeneratedRegex(@"arp op=(?<op>\d+) eth_dst=(?<dst>[0-9a-f:]+) sender_mac=(?<mac>[0-9a-f:]+) sender_ip=(?<sender>[0-9.]+) target_ip=(?<target>[0-9.]+) at=(?<at>[0-9.]+)")]
    private static partial Regex FrameLine();
}
