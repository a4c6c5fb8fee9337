using Bramble.Engine.Cluster;
using static System.FormattableString;

namespace Bramble.Engine.Rules.Node;

/// <summary>A kubelet certificate expires within the threshold (k3s certificates last a year).</summary>
public sealed class CertificateExpiringRule : NodeRule
{
    public const string KindName = "CertificateExpiring";
    private readonly CertificateExpiringSettings _settings;

    public CertificateExpiringRule(CertificateExpiringSettings settings) => _settings = settings;

    public override string Kind => KindName;

    public override RuleSettings Settings => _settings;

    protected override (Severity Severity, string Summary, IReadOnlyDictionary<string, string> Evidence)? Describe(NodeState node, DateTimeOffset now)
    {
        if (node.Kubelet is not { } k)
        {
            return null;
        }

        var soonest = new[] { ("client", k.ClientCertificateNotAfter), ("serving", k.ServingCertificateNotAfter) }
            .Where(c => c.Item2 is not null)
            .OrderBy(c => c.Item2)
            .FirstOrDefault();
        if (soonest.Item2 is not { } notAfter || notAfter - now >= _settings.Threshold)
        {
            return null;
        }

        var left = notAfter - now;
        var severity = left <= TimeSpan.FromDays(2) ? Severity.Critical : Severity.Warning;
        var summary = left <= TimeSpan.Zero
            ? Invariant($"the kubelet {soonest.Item1} certificate on {node.Name} expired at {notAfter:yyyy-MM-dd HH:mm} UTC")
            : Invariant($"the kubelet {soonest.Item1} certificate on {node.Name} expires in {left.TotalDays:0.#} days ({notAfter:yyyy-MM-dd HH:mm} UTC)");
        return (severity, summary, Evidence(("certificate", soonest.Item1), ("notAfter", notAfter.ToString("O", System.Globalization.CultureInfo.InvariantCulture))));
    }
}
