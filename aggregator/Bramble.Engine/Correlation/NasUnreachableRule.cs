using System.Globalization;
using Bramble.Engine.Cluster;
using Bramble.Engine.Rules;
using Bramble.Engine.Rules.Nfs;

namespace Bramble.Engine.Correlation;

/// <summary>
/// The NAS, not the nodes: when the RPC ping to a server fails from at least MinShare of the nodes that mount it, or
/// mounts of it hang on at least that share (and MinHungNodes), that is one NasUnreachable incident about the server,
/// and the hangs, slowness and retransmissions on its mounts are attributed to it — so nobody restarts five nodes for
/// one NAS.
/// </summary>
public sealed class NasUnreachableRule : ICauseRule
{
    public const string KindName = "NasUnreachable";
    /// <summary>What an unreachable server causes; option drift and stale handles are problems of their own.</summary>
    private static readonly HashSet<string> Symptoms = new(StringComparer.Ordinal)
    {
        NfsMountHungRule.KindName, NfsSlowRule.KindName, NfsRetransmittingRule.KindName,
    };

    private readonly NasUnreachableSettings _settings;

    public NasUnreachableRule(NasUnreachableSettings settings) => _settings = settings;

    public string Kind => KindName;

    public RuleSettings Settings => _settings;

    public IEnumerable<CauseFinding> Correlate(ClusterSnapshot cluster, IReadOnlyList<Finding> findings)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(findings);
        var byServer = cluster.Nodes
            .SelectMany(n => n.NfsMounts.Select(m => (Node: n.Name, Mount: m)))
            .Where(x => x.Mount.Server.Length > 0)
            .GroupBy(x => x.Mount.Server, StringComparer.Ordinal);
        foreach (var server in byServer)
        {
            var clients = server.Select(x => x.Node).Distinct(StringComparer.Ordinal).ToArray();
            var pingFailed = server.Where(x => x.Mount.ServerReachable == false).Select(x => x.Node).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
            var hung = server.Where(x => x.Mount.Health == NfsHealth.Hung).Select(x => x.Node).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
            var needed = Math.Max(1, (int)Math.Ceiling(_settings.MinShare * clients.Length));
            var blamedByPing = pingFailed.Length >= needed;
            var blamedByHangs = hung.Length >= Math.Max(needed, _settings.MinHungNodes);
            if (!blamedByPing && !blamedByHangs)
            {
                continue;
            }

            var inv = CultureInfo.InvariantCulture;
            var reasons = new List<string>(2);
            if (pingFailed.Length > 0)
            {
                reasons.Add(string.Create(inv, $"its RPC ping fails from {pingFailed.Length} of {clients.Length} nodes ({string.Join(", ", pingFailed)})"));
            }

            if (hung.Length > 0)
            {
                reasons.Add(string.Create(inv, $"mounts of it hang on {hung.Length} of {clients.Length} nodes ({string.Join(", ", hung)})"));
            }

            var cause = new Finding(
                KindName,
                new Subject(Server: server.Key),
                Severity.Critical,
                string.Create(inv, $"NAS {server.Key} is not answering: {string.Join(" and ", reasons)}; the nodes' NFS incidents are its symptoms"),
                new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["server"] = server.Key,
                    ["clients"] = string.Join(',', clients.Order(StringComparer.Ordinal)),
                    ["pingFailedFrom"] = string.Join(',', pingFailed),
                    ["hungOn"] = string.Join(',', hung),
                });
            var children = findings.Where(f => Symptoms.Contains(f.Kind) && f.Subject.Server == server.Key).Select(f => f.Key).ToArray();
            yield return new CauseFinding(cause, children);
        }
    }
}
