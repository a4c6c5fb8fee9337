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

        // Allocation-free while the node still has them (every node, every pass); the agent reports canonical text.
        List<string>? missing = null;
        foreach (var known in v.KubernetesAddresses)
        {
            if (!Has(v.Addresses, known))
            {
                (missing ??= []).Add(known);
            }
        }

        if (missing is null)
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

    private static bool Has(IReadOnlyList<string> addresses, string address)
    {
        foreach (var a in addresses)
        {
            if (string.Equals(a, address, StringComparison.Ordinal))
            {
                return true;
            }
        }

        // The same address in another spelling (fd00:0::2, FD00::2) is the same address.
        return IPAddress.TryParse(address, out var wanted) && addresses.Any(a => IPAddress.TryParse(a, out var have) && have.Equals(wanted));
    }
}
