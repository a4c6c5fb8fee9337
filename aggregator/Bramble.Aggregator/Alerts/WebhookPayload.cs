using System.Text.Json;

namespace Bramble.Aggregator.Alerts;

/// <summary>
/// The signed webhook body (schemaVersion 1, documented in README): one event per request, its id the dedupe key
/// (same on every retry), the incident as it was at the transition, its evidence, and the remediation behind a
/// remediation event (escalated, remediation_succeeded, remediation_failed, remediation_suppressed).
/// </summary>
public static class WebhookPayload
{
    public const int SchemaVersion = 1;

    public static byte[] Build(AlertMessage message, AlertLinks links)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(links);
        var incident = message.Incident;
        var body = new
        {
            schemaVersion = SchemaVersion,
            id = message.EventId,
            @event = message.Event,
            at = message.At,
            cluster = links.ClusterName,
            incident = new
            {
                id = incident.Id,
                kind = incident.Kind,
                severity = Storage.SqliteIncidentStore.SeverityName(incident.Severity),
                state = Storage.SqliteIncidentStore.StateName(incident.State),
                subject = new { node = incident.Subject.Node, mount = incident.Subject.Mount, vip = incident.Subject.Vip, server = incident.Subject.Server },
                startedAt = incident.StartedAt,
                firingAt = incident.FiringAt,
                resolvedAt = incident.ResolvedAt,
                cause = incident.Cause,
                summary = incident.Summary,
                url = links.IncidentUrl(incident.Id),
                runbookUrl = links.RunbookUrl(incident.Kind),
            },
            evidence = incident.Evidence,
            remediation = message.Remediation,
        };
        return JsonSerializer.SerializeToUtf8Bytes(body, AlertJson.Options);
    }
}
