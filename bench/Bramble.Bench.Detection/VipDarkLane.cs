namespace Bramble.Bench.Detection;

/// <summary>
/// VIP dark: the only announcer of 192.0.2.101 (a MetalLB-style ARP responder on node 3) dies; nobody answers for the
/// VIP. Recover: the responder starts again.
/// </summary>
public sealed class VipDarkLane(WireLab wire) : IFaultLane
{
    public string Fault => "VIP dark";

    public string BrambleKind => "VipDark";

    public string? SubjectNode => null;

    public IReadOnlyList<string> AgentNodes => [WireLab.NodeName(0), WireLab.NodeName(3)];

    public string BrambleSignal =>
        "Every agent's ARP round (every 5 s, 0.5 s window) gets no answer for the VIP; VipDark has no For.";

    public string? PeerAlert => null;

    public string PeerSignal =>
        "**not measured**: node_exporter has no signal; a blackbox exporter probing a service behind the VIP would see it fail "
        + "(Debian has prometheus-blackbox-exporter 0.23; not installed or measured here) and, scraped every 15 s with `for: 1m`, would alert as the kubelet row does.";

    public string ScrapeConfigs => string.Empty;

    public string AlertRules => string.Empty;

    public Task StartAsync(string aggregatorGrpcUrl) => Task.CompletedTask;

    public Task InjectAsync()
    {
        wire.StopResponder();
        return Task.CompletedTask;
    }

    public Task RecoverAsync() => wire.StartResponderAsync();

    public void Dispose()
    {
        // The wire lab is shared; Program disposes it.
    }
}
