using Bramble.Aggregator.Runbooks;

namespace Bramble.Aggregator.Alerts;

/// <summary>What every payload names besides the incident: the cluster, and where people follow the link to.</summary>
public sealed record AlertLinks(string ClusterName, string ExternalUrl, string RunbookBaseUrl)
{
    public string IncidentUrl(string incidentId) => $"{ExternalUrl.TrimEnd('/')}/api/v1/incidents/{Uri.EscapeDataString(incidentId)}";

    /// <summary>
    /// RunbookBaseUrl plus the kind when one is configured; otherwise the runbook this aggregator serves itself
    /// (<c>{ExternalUrl}/runbooks/{name}</c>), so the link works with no documentation hosted anywhere else.
    /// </summary>
    public string RunbookUrl(string kind) => RunbookBaseUrl.Length > 0
        ? RunbookBaseUrl + kind
        : $"{ExternalUrl.TrimEnd('/')}/runbooks/{Uri.EscapeDataString(RunbookNames.ForKind(kind))}";
}
