namespace Bramble.Bench.Detection;

/// <summary>
/// One fault, injected again and again: what Bramble calls it (incident kind on one node), and what the peer stack
/// scrapes and alerts on for it, or why it has nothing to alert on.
/// </summary>
public interface IFaultLane : IDisposable
{
    string Fault { get; }

    /// <summary>The incident kind Bramble opens, also its alertname at Alertmanager.</summary>
    string BrambleKind { get; }

    /// <summary>The agent's node name (the incident's subject and the alert's node label).</summary>
    string Node { get; }

    /// <summary>The Prometheus alert for this fault, or null when the peer stack has no signal for it.</summary>
    string? PeerAlert { get; }

    /// <summary>What the peer stack alerts on (its expression and why), or why it cannot.</summary>
    string PeerSignal { get; }

    /// <summary>Prometheus scrape_configs entries (YAML list items), empty when none.</summary>
    string ScrapeConfigs { get; }

    /// <summary>Prometheus rules (YAML list items under one group), empty when none.</summary>
    string AlertRules { get; }

    /// <summary>Starts the lab and the agent, reporting to the aggregator.</summary>
    Task StartAsync(string aggregatorGrpcUrl);

    void Inject();

    void Recover();
}
