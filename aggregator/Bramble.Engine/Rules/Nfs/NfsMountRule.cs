using System.Globalization;
using Bramble.Engine.Cluster;

namespace Bramble.Engine.Rules.Nfs;

/// <summary>The common shape of the per-mount NFS rules: one finding per (node, mount) that matches.</summary>
public abstract class NfsMountRule : IRule
{
    public abstract string Kind { get; }

    public abstract RuleSettings Settings { get; }

    public IEnumerable<Finding> Evaluate(ClusterSnapshot cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        foreach (var node in cluster.Nodes)
        {
            foreach (var mount in node.NfsMounts)
            {
                if (Describe(node, mount) is { } described)
                {
                    var evidence = new Dictionary<string, string>(described.Evidence, StringComparer.Ordinal)
                    {
                        ["server"] = mount.Server,
                        ["state"] = mount.Health.ToString().ToLowerInvariant(),
                    };
                    if (mount.ProbeLatency is { } latency)
                    {
                        evidence["probeLatencySeconds"] = latency.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
                    }

                    AddPodAndKernelEvidence(evidence, node, mount);

                    yield return new Finding(Kind, new Subject(node.Name, mount.MountPoint, Server: mount.Server), described.Severity, described.Summary, evidence);
                }
            }
        }
    }

    // Which pod's volume this is, who is frozen on it, and what the node's kernel last said about the server.
    private static void AddPodAndKernelEvidence(Dictionary<string, string> evidence, NodeState node, NfsMountView mount)
    {
        if (mount.PodUid.Length > 0)
        {
            evidence["podUid"] = mount.PodUid;
            evidence["podVolume"] = mount.PodVolume;
            evidence["podSubpath"] = mount.PodSubpath ? "true" : "false";
        }

        if (mount.FrozenPods.Count > 0)
        {
            evidence["frozenPods"] = FrozenPodsText.List(mount);
        }

        if (KernelNfsVerdict.Latest(node, mount) is { } kernel)
        {
            evidence["kernel"] = string.Create(CultureInfo.InvariantCulture, $"{kernel.LoggedAt.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ} {kernel.Text}");
        }
    }

    /// <summary>The finding's severity, summary and own evidence, or null when the mount is fine by this rule.</summary>
    protected abstract (Severity Severity, string Summary, IReadOnlyDictionary<string, string> Evidence)? Describe(NodeState node, NfsMountView mount);

}
