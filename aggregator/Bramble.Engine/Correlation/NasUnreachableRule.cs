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
            .SelectMany(n => n.NfsMounts.Select(m => (Node: n.Name, Mount: m, KernelNotResponding: KernelNfsVerdict.NotResponding(n, m))))
            .Where(x => x.Mount.Server.Length > 0)
            .GroupBy(x => x.Mount.Server, StringComparer.Ordinal);
        foreach (var server in byServer)
        {
            var clients = server.Select(x => x.Node).Distinct(StringComparer.Ordinal).ToArray();
            var pingFailed = server.Where(x => x.Mount.ServerReachable == false).Select(x => x.Node).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
            var hung = server.Where(x => x.Mount.Health == NfsHealth.Hung).Select(x => x.Node).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
            // The kernel's "not responding" is its own RPC timeout to the server: a vote like a failed ping, but only from
            // a node whose ping does not answer and whose probe did not just get through — a node that reaches the
            // server is a stuck client (or its log is behind), not a witness of a dead NAS.
            var kernelNotResponding = server.Where(x => x.KernelNotResponding && x.Mount.ServerReachable != true && x.Mount.Health != NfsHealth.Ok)
                .Select(x => x.Node).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
            var notAnswering = pingFailed.Union(kernelNotResponding, StringComparer.Ordinal).ToArray();
            var needed = Math.Max(1, (int)Math.Ceiling(_settings.MinShare * clients.Length));
            var blamedByPing = notAnswering.Length >= needed;
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

            if (kernelNotResponding.Length > 0)
            {
                reasons.Add(string.Create(inv, $"the kernel on {kernelNotResponding.Length} of {clients.Length} nodes says it is not responding ({string.Join(", ", kernelNotResponding)})"));
            }

            if (hung.Length > 0)
            {
                reasons.Add(string.Create(inv, $"mounts of it hang on {hung.Length} of {clients.Length} nodes ({string.Join(", ", hung)})"));
            }

            var kernelLines = server.Where(x => x.KernelNotResponding && kernelNotResponding.Contains(x.Node, StringComparer.Ordinal))
                .Select(x => (x.Node, Line: KernelNfsVerdict.Latest(cluster.Nodes.First(n => n.Name == x.Node), x.Mount)!))
                .DistinctBy(x => x.Node, StringComparer.Ordinal)
                .OrderBy(x => x.Node, StringComparer.Ordinal)
                .Select(x => string.Create(inv, $"{x.Node}: {x.Line.LoggedAt.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ} {x.Line.Text}"));
            var cause = new Finding(
                KindName,
                new Subject(Server: server.Key),
                Severity.Critical,
                string.Create(inv, $"NAS {server.Key} is not answering: {(reasons.Count > 1 ? string.Join(", ", reasons[..^1]) + " and " + reasons[^1] : reasons[0])}; the nodes' NFS incidents are its symptoms"),
                new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["server"] = server.Key,
                    ["clients"] = string.Join(',', clients.Order(StringComparer.Ordinal)),
                    ["pingFailedFrom"] = string.Join(',', pingFailed),
                    ["hungOn"] = string.Join(',', hung),
                    ["kernelNotRespondingOn"] = string.Join(',', kernelNotResponding),
                    ["kernel"] = string.Join("; ", kernelLines),
                });
            var children = findings.Where(f => Symptoms.Contains(f.Kind) && f.Subject.Server == server.Key).Select(f => f.Key).ToArray();
            yield return new CauseFinding(cause, children);
        }
    }
}
