using Bramble.IntegrationTests.Vip;

namespace Bramble.Bench.Detection;

/// <summary>
/// VIP split brain: VRRP dropped on node 2 (nft), so the backup stops hearing the master and takes the VIP too; both
/// answer ARP for it. Recover: VRRP let through again, node 2 steps back.
/// </summary>
public sealed class VipSplitBrainLane(WireLab wire) : IFaultLane
{
    public string Fault => "VIP split brain";

    public string BrambleKind => "VipSplitBrain";

    public string? SubjectNode => null;

    public IReadOnlyList<string> AgentNodes => [WireLab.NodeName(0), WireLab.NodeName(1), WireLab.NodeName(2)];

    public string BrambleSignal =>
        "Every agent ARPs for the VIP each probe round (every 5 s, 0.5 s answer window) and at once when it hears a gratuitous ARP from a MAC its last round did not hear (Vip:RoundOnNewAnnouncer, on by default: the backup's takeover announcement), and reports the MACs that answered; two answering MACs are VipSplitBrain (no For).";

    public string? PeerAlert => null;

    public string PeerSignal =>
        "**no signal**: node_exporter does not look at ARP or VRRP, and a blackbox probe of the VIP succeeds whichever of the two holders answers.";

    public string ScrapeConfigs => string.Empty;

    public string AlertRules => string.Empty;

    public Task StartAsync(string aggregatorGrpcUrl) => Task.CompletedTask;

    public Task InjectAsync()
    {
        Keepalived.BlockVrrp(wire.Lab, 2);
        return Task.CompletedTask;
    }

    public Task RecoverAsync()
    {
        Keepalived.UnblockVrrp(wire.Lab, 2);
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        // The wire lab is shared; Program disposes it.
    }
}
