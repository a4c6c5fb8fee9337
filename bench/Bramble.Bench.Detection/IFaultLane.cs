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

    /// <summary>The incident's subject node (and the alert's node label); null when the subject is no node (a NAS, a VIP).</summary>
    string? SubjectNode { get; }

    /// <summary>The node names of the lane's agents, which must be reporting before the first injection.</summary>
    IReadOnlyList<string> AgentNodes { get; }

    /// <summary>How Bramble sees the fault (probe, deadline, rule and its For), for the report.</summary>
    string BrambleSignal { get; }

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

    Task InjectAsync();

    Task RecoverAsync();
}
