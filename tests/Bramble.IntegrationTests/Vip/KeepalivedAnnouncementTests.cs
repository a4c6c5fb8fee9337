using System.Text.RegularExpressions;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Vip;

/// <summary>
/// Split brain heard on the wire between probe rounds (issue 14, split brain within 2 s): the backup's takeover
/// announcement (gratuitous ARP from a MAC the last round did not hear) starts an ARP round at once. The agent's probe
/// interval is 10 minutes, so only that early round can show both MACs answering within the test's wait.
/// </summary>
public sealed partial class KeepalivedAnnouncementTests
{
    private const string Vip = Keepalived.Vip;

    [Fact]
    public async Task Service_BackupTakesOverBetweenRounds_AnnouncementStartsARoundThatHearsBothMacs()
    {
        Assert.SkipWhen(Keepalived.SkipReason.Length > 0, Keepalived.SkipReason);
        await VipWireTests.InLabAsync(2, async lab =>
        {
            using var temp = new TempDirectory();
            using var master = Keepalived.Start(lab, 1, priority: 100, temp.Path);
            using var backup = Keepalived.Start(lab, 2, priority: 90, temp.Path);
            await Keepalived.WaitForAsync(() => NetworkLab.HasAddress(lab.Node(1), Vip) && !NetworkLab.HasAddress(lab.Node(2), Vip), "n1 holding the VIP alone");

            // No aggregator: the probe loop and its log are what is looked at.
            using var agent = NetworkLab.StartIn(lab.Observer, "agent (service)", "dotnet",
            [
                RepoLayout.AgentDll, "--Agent:NodeName=obs", "--Agent:AggregatorAddress=http://127.0.0.1:9",
                "--Agent:ProbeInterval=00:10:00", $"--Vip:Watch:0:Address={Vip}", "--Vip:Watch:0:Interface=eth0",
                "--Logging:LogLevel:Bramble.Agent.Probing.ProbeLoop=Debug",
            ]);
            await agent.WaitForLineAsync(OutcomeLine(NetworkLab.NodeMac(1)), TimeSpan.FromSeconds(60));
            await agent.WaitForLineAsync(ListeningLine(), TimeSpan.FromSeconds(10));

            Keepalived.BlockVrrp(lab, 2);
            await agent.WaitForLineAsync(RoundOnNewAnnouncerLine(NetworkLab.NodeMac(2)), TimeSpan.FromSeconds(30));
            await agent.WaitForLineAsync(OutcomeLine(string.Join(',', new[] { NetworkLab.NodeMac(1), NetworkLab.NodeMac(2) }.Order(StringComparer.Ordinal))), TimeSpan.FromSeconds(30));
            Assert.Contains("Ran vip early, between rounds", agent.Output, StringComparison.Ordinal);
            Assert.False(agent.HasExited, agent.Output);
        });
    }

    private static Regex OutcomeLine(string macs) =>
        new($"Probe outcomes changed: .*vip: Ok {Regex.Escape(Vip)}={Regex.Escape(macs)}(?![0-9a-f:])");

    private static Regex RoundOnNewAnnouncerLine(string mac) =>
        new($"Gratuitous ARP for {Regex.Escape(Vip)} from {mac}, which the last ARP round did not hear answering: asking the wire now");

    [GeneratedRegex("Listening for gratuitous ARP on eth0")]
    private static partial Regex ListeningLine();
}
