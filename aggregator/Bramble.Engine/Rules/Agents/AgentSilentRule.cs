using System.Globalization;
using Bramble.Engine.Cluster;

namespace Bramble.Engine.Rules.Agents;

/// <summary>A node whose agent has not reported for MissedReports × its own report interval.</summary>
public sealed class AgentSilentRule : IRule
{
    public const string KindName = "AgentSilent";
    private readonly AgentSilentSettings _settings;

    public AgentSilentRule(AgentSilentSettings settings) => _settings = settings;

    public string Kind => KindName;

    public RuleSettings Settings => _settings;

    /// <summary>When the node fell silent: its last message of any kind, but never before this aggregator started watching.</summary>
    public static DateTimeOffset SilentSince(NodeState node, ClusterSnapshot cluster)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(cluster);
        return node.LastSeen > cluster.MonitoringSince ? node.LastSeen : cluster.MonitoringSince;
    }

    public TimeSpan Threshold(NodeState node) => node.ReportInterval * _settings.MissedReports;

    public IEnumerable<Finding> Evaluate(ClusterSnapshot cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        foreach (var node in cluster.Nodes)
        {
            var since = SilentSince(node, cluster);
            var silentFor = cluster.Now - since;
            var threshold = Threshold(node);
            if (silentFor < threshold)
            {
                continue;
            }

            var inv = CultureInfo.InvariantCulture;
            yield return new Finding(
                KindName,
                Subject.ForNode(node.Name),
                Severity.Critical,
                string.Create(inv, $"{node.Name} has not reported for {silentFor.TotalSeconds:F0} s (it reports every {node.ReportInterval.TotalSeconds:0.###} s)"),
                new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["lastReportAt"] = node.LastReportAt?.ToString("O", inv) ?? "never",
                    ["silentSince"] = since.ToString("O", inv),
                    ["silentForSeconds"] = silentFor.TotalSeconds.ToString("F1", inv),
                    ["reportIntervalSeconds"] = node.ReportInterval.TotalSeconds.ToString("0.###", inv),
                    ["thresholdSeconds"] = threshold.TotalSeconds.ToString("0.###", inv),
                    ["streamOpen"] = node.Connected ? "true" : "false",
                });
        }
    }
}
