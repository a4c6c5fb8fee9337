using System.Globalization;
using Bramble.Engine.Cluster;
using Bramble.Engine.Rules;
using Bramble.Engine.Rules.Agents;

namespace Bramble.Engine.Correlation;

/// <summary>
/// Many agents falling silent within one report interval of each other is one network problem (a switch, the
/// aggregator's link), not many node failures: one NetworkPartition incident, with each AgentSilent linked to it.
/// </summary>
public sealed class NetworkPartitionRule : ICauseRule
{
    public const string KindName = "NetworkPartition";
    private readonly NetworkPartitionSettings _settings;

    public NetworkPartitionRule(NetworkPartitionSettings settings) => _settings = settings;

    public string Kind => KindName;

    public RuleSettings Settings => _settings;

    public IEnumerable<CauseFinding> Correlate(ClusterSnapshot cluster, IReadOnlyList<Finding> findings)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(findings);
        var silentNodes = new HashSet<string>(
            findings.Where(f => f.Kind == AgentSilentRule.KindName && f.Subject.Node is not null).Select(f => f.Subject.Node!),
            StringComparer.Ordinal);
        var needed = Math.Max(_settings.MinNodes, (int)Math.Ceiling(_settings.MinShare * cluster.Nodes.Count));
        if (silentNodes.Count < needed)
        {
            yield break;
        }

        // The largest group whose silences began within one report interval of each other.
        var silent = cluster.Nodes.Where(n => silentNodes.Contains(n.Name))
            .Select(n => (Node: n, Since: AgentSilentRule.SilentSince(n, cluster)))
            .OrderBy(s => s.Since)
            .ToArray();
        var window = silent.Max(s => s.Node.ReportInterval);
        var best = (Start: 0, Count: 0);
        for (int start = 0, end = 0; start < silent.Length; start++)
        {
            end = Math.Max(end, start);
            while (end + 1 < silent.Length && silent[end + 1].Since - silent[start].Since <= window)
            {
                end++;
            }

            if (end - start + 1 > best.Count)
            {
                best = (start, end - start + 1);
            }
        }

        if (best.Count < needed)
        {
            yield break;
        }

        var group = silent.AsSpan(best.Start, best.Count).ToArray();
        var names = group.Select(g => g.Node.Name).Order(StringComparer.Ordinal).ToArray();
        var spread = group[^1].Since - group[0].Since;
        var inv = CultureInfo.InvariantCulture;
        var cause = new Finding(
            KindName,
            Subject.Cluster,
            Severity.Critical,
            string.Create(inv, $"{names.Length} of {cluster.Nodes.Count} agents ({string.Join(", ", names)}) went silent within {spread.TotalSeconds:0.#} s of each other: a network partition or switch failure, not {names.Length} separate node failures"),
            new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["silentNodes"] = string.Join(',', names),
                ["silentCount"] = names.Length.ToString(inv),
                ["nodeCount"] = cluster.Nodes.Count.ToString(inv),
                ["firstSilentAt"] = group[0].Since.ToString("O", inv),
                ["lastSilentAt"] = group[^1].Since.ToString("O", inv),
            });
        yield return new CauseFinding(cause, names.Select(n => Finding.KeyOf(AgentSilentRule.KindName, Subject.ForNode(n))).ToArray());
    }
}
