using System.Globalization;
using System.Text.Json;
using Bramble.Aggregator.Storage;
using Bramble.Engine.Incidents;

namespace Bramble.Aggregator.Alerts;

/// <summary>
/// An incident as Alertmanager's POST /api/v2/alerts body (postableAlerts: a JSON array). Identity is the label
/// set, so labels hold only what names the problem; the rest goes into annotations. A firing alert carries no
/// endsAt: Alertmanager then keeps it for its resolve_timeout, which the periodic re-send renews.
/// </summary>
public static class AlertmanagerPayload
{
    public static Dictionary<string, string> Labels(IncidentRecord incident, string clusterName)
    {
        ArgumentNullException.ThrowIfNull(incident);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["alertname"] = incident.Kind,
            ["severity"] = SqliteIncidentStore.SeverityName(incident.Severity),
            ["cluster"] = clusterName,
        };
        Add(labels, "node", incident.Subject.Node);
        Add(labels, "mount", incident.Subject.Mount);
        Add(labels, "vip", incident.Subject.Vip);
        Add(labels, "server", incident.Subject.Server);
        return labels;
    }

    /// <summary>The body for one incident; resolved when <paramref name="resolved"/> (endsAt = its resolution).</summary>
    public static byte[] Build(IncidentRecord incident, bool resolved, AlertLinks links)
    {
        ArgumentNullException.ThrowIfNull(incident);
        ArgumentNullException.ThrowIfNull(links);
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["summary"] = incident.Summary,
            ["description"] = Description(incident),
            ["incident_id"] = incident.Id,
        };
        Add(annotations, "runbook_url", links.RunbookUrl(incident.Kind));
        var alert = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["labels"] = Labels(incident, links.ClusterName),
            ["annotations"] = annotations,
            ["startsAt"] = Timestamp(incident.FiringAt ?? incident.StartedAt),
            ["generatorURL"] = links.IncidentUrl(incident.Id),
        };
        if (resolved)
        {
            alert["endsAt"] = Timestamp(incident.ResolvedAt ?? incident.LastSeenAt);
        }

        return JsonSerializer.SerializeToUtf8Bytes(new[] { alert });
    }

    /// <summary>The summary, the cause it is attributed to, and the evidence as sorted key=value lines.</summary>
    public static string Description(IncidentRecord incident)
    {
        ArgumentNullException.ThrowIfNull(incident);
        var lines = new List<string> { incident.Summary };
        if (incident.Cause is not null)
        {
            lines.Add($"caused by {incident.Cause}");
        }

        lines.AddRange(incident.Evidence.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}={e.Value}"));
        return string.Join('\n', lines);
    }

    private static string Timestamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static void Add(Dictionary<string, string> map, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            map[key] = value;
        }
    }
}
