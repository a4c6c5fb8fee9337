using System.Globalization;
using Bramble.Engine.Cluster;

namespace Bramble.Engine.Rules.Agents;

/// <summary>Informational: a node came back with a new boot id, i.e. it rebooted. Open for Window after the reboot.</summary>
public sealed class AgentRestartedRule : IRule
{
    public const string KindName = "AgentRestarted";
    private readonly AgentRestartedSettings _settings;

    public AgentRestartedRule(AgentRestartedSettings settings) => _settings = settings;

    public string Kind => KindName;

    public RuleSettings Settings => _settings;

    public IEnumerable<Finding> Evaluate(ClusterSnapshot cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        foreach (var node in cluster.Nodes)
        {
            if (node.BootChangedAt is not { } at || cluster.Now - at >= _settings.Window)
            {
                continue;
            }

            var inv = CultureInfo.InvariantCulture;
            yield return new Finding(
                KindName,
                Subject.ForNode(node.Name),
                Severity.Info,
                string.Create(inv, $"{node.Name} rebooted: its agent came back at {at:HH:mm:ss} UTC with a new boot id"),
                new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["bootId"] = node.BootId,
                    ["previousBootId"] = node.PreviousBootId ?? "unknown",
                    ["rebootSeenAt"] = at.ToString("O", inv),
                });
        }
    }
}
