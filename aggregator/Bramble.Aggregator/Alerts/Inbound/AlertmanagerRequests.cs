using Bramble.Aggregator.Metrics;
using Bramble.Aggregator.Remediation;
using Bramble.Engine.Incidents;
using Microsoft.Extensions.Options;

namespace Bramble.Aggregator.Alerts.Inbound;

/// <summary>
/// The open remediation requests from Alertmanager, shared by the webhook endpoint (writes) and the remediation
/// coordinator (reads them beside the rule engine's incidents, so they pass the same planner and guards).
/// </summary>
public sealed partial class AlertmanagerRequests
{
    private readonly Lock _gate = new();
    private readonly RemediationRequestBook _book;
    private readonly AlertmanagerRequestMetrics _metrics;
    private readonly ILogger<AlertmanagerRequests> _logger;

    public AlertmanagerRequests(
        IOptions<AlertsOptions> alerts, IOptions<RemediationOptions> remediation, AlertmanagerRequestMetrics metrics, ILogger<AlertmanagerRequests> logger)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        ArgumentNullException.ThrowIfNull(remediation);
        _book = new RemediationRequestBook(remediation.Value, alerts.Value.InboundExpiry);
        _metrics = metrics;
        _logger = logger;
    }

    public IReadOnlyList<AlertOutcome> Receive(IReadOnlyList<AlertmanagerWebhookAlert> alerts, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        AlertOutcome[] outcomes;
        lock (_gate)
        {
            outcomes = alerts.Select(a => _book.Receive(a, now)).ToArray();
        }

        foreach (var outcome in outcomes)
        {
            _metrics.Counted(outcome.Outcome);
            switch (outcome.Outcome)
            {
                case InboundOutcomes.Accepted:
                    LogAccepted(_logger, outcome.IncidentId!, outcome.Alertname ?? "-", outcome.Fingerprint ?? "-");
                    break;
                case InboundOutcomes.Resolved when outcome.IncidentId is not null:
                    LogResolved(_logger, outcome.IncidentId, outcome.Alertname ?? "-");
                    break;
                case InboundOutcomes.RefusedUnknownAction or InboundOutcomes.RefusedMissingLabel:
                    LogRefused(_logger, outcome.Alertname ?? "-", outcome.Fingerprint ?? "-", outcome.Reason ?? string.Empty);
                    break;
            }
        }

        return outcomes;
    }

    /// <summary>The open requests as incidents; those not re-sent within Alerts:InboundExpiry are closed first.</summary>
    public IReadOnlyList<IncidentRecord> Open(DateTimeOffset now)
    {
        IReadOnlyList<IncidentRecord> open, expired;
        lock (_gate)
        {
            open = _book.Open(now, out expired);
        }

        foreach (var incident in expired)
        {
            _metrics.Counted(InboundOutcomes.Expired);
            LogExpired(_logger, incident.Id, incident.LastSeenAt);
        }

        return open;
    }

    /// <summary>A call refused as a whole (bad token, none configured, malformed, too large).</summary>
    public void Refused(string outcome, string reason)
    {
        _metrics.Counted(outcome);
        LogCallRefused(_logger, outcome, reason);
    }

    [LoggerMessage(EventId = 1700, Level = LogLevel.Information,
        Message = "Alertmanager request {IncidentId} accepted ({Alertname}, fingerprint {Fingerprint}); it goes through the planner's guards")]
    private static partial void LogAccepted(ILogger logger, string incidentId, string alertname, string fingerprint);

    [LoggerMessage(EventId = 1701, Level = LogLevel.Information, Message = "Alertmanager request {IncidentId} resolved ({Alertname})")]
    private static partial void LogResolved(ILogger logger, string incidentId, string alertname);

    [LoggerMessage(EventId = 1702, Level = LogLevel.Warning, Message = "Alertmanager alert {Alertname} (fingerprint {Fingerprint}) refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string alertname, string fingerprint, string reason);

    [LoggerMessage(EventId = 1703, Level = LogLevel.Information,
        Message = "Alertmanager request {IncidentId} expired: neither re-sent nor resolved since {LastSeenAt} (Alerts:InboundExpiry)")]
    private static partial void LogExpired(ILogger logger, string incidentId, DateTimeOffset lastSeenAt);

    [LoggerMessage(EventId = 1704, Level = LogLevel.Warning, Message = "POST /api/v1/alertmanager refused ({Outcome}): {Reason}")]
    private static partial void LogCallRefused(ILogger logger, string outcome, string reason);
}
