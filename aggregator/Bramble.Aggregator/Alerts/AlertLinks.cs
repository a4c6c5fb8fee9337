namespace Bramble.Aggregator.Alerts;

/// <summary>What every payload names besides the incident: the cluster, and where people follow the link to.</summary>
public sealed record AlertLinks(string ClusterName, string ExternalUrl, string RunbookBaseUrl)
{
    public string IncidentUrl(string incidentId) => $"{ExternalUrl.TrimEnd('/')}/api/v1/incidents/{Uri.EscapeDataString(incidentId)}";

    public string? RunbookUrl(string kind) => RunbookBaseUrl.Length == 0 ? null : RunbookBaseUrl + kind;
}
