using System.Net;
using Bramble.Engine.Cluster;

namespace Bramble.Engine.Rules.Node;

/// <summary>
/// An address Kubernetes knows for the node (serving certificate IP SANs or the configured node-ip) is no longer on
/// the node: a changed DHCP lease, and the API server, kubectl logs/exec and other nodes reach for the old one.
/// A node that reports no addresses at all (unreadable procfs) is unknown, not changed.
/// </summary>
public sealed class NodeAddressChangedRule : NodeRule
{
    public const string KindName = "NodeAddressChanged";
    private readonly RuleSettings _settings;

    public NodeAddressChangedRule(RuleSettings settings) => _settings = settings;

    public override string Kind => KindName;

    public override RuleSettings Settings => _settings;

    protected override (Severity Severity, string Summary, IReadOnlyDictionary<string, string> Evidence)? Describe(NodeState node, DateTimeOffset now)
    {
        if (node.Vitals is not { Addresses.Count: > 0, KubernetesAddresses.Count: > 0 } v)
        {
            return null;
        }

        var current = v.Addresses.Select(Canonical).ToHashSet(StringComparer.Ordinal);
        var missing = v.KubernetesAddresses.Where(a => !current.Contains(Canonical(a))).ToList();
        if (missing.Count == 0)
        {
            return null;
        }

        var source = v.KubernetesAddressesSource.Length > 0 ? v.KubernetesAddressesSource : "Kubernetes";
        return (Severity.Critical,
            $"{node.Name} no longer has {string.Join(", ", missing)}, the address Kubernetes knows it by ({source}); it now has {string.Join(", ", v.Addresses)}",
            Evidence(
                ("missing", string.Join(",", missing)),
                ("addresses", string.Join(",", v.Addresses)),
                ("kubernetesAddresses", string.Join(",", v.KubernetesAddresses)),
                ("source", v.KubernetesAddressesSource)));
    }

    // The same address in any spelling (fd00:0::2, FD00::2) compares equal.
    private static string Canonical(string address) => IPAddress.TryParse(address, out var parsed) ? parsed.ToString() : address;
}
