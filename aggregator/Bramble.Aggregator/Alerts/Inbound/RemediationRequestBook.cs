using System.Globalization;
using Bramble.Engine.Incidents;
using Bramble.Engine.Remediation;
using Bramble.Engine.Rules;

namespace Bramble.Aggregator.Alerts.Inbound;

/// <summary>
/// Remediation requests from Alertmanager's webhook, as open incidents of kind AlertmanagerRequest, by the alert's
/// fingerprint. Pure: the caller passes the time and serialises calls. Kept in memory only: after an aggregator
/// restart a request comes back when Alertmanager re-sends its group (repeat_interval, 4 h by default).
/// </summary>
public sealed class RemediationRequestBook
{
    private readonly RemediationSettings _settings;
    private readonly TimeSpan _expiry;
    private readonly Dictionary<string, IncidentRecord> _open = new(StringComparer.Ordinal);

    public RemediationRequestBook(RemediationSettings settings, TimeSpan expiry)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings;
        _expiry = expiry;
    }

    /// <summary>One alert of a webhook call: opens, refreshes or closes its request, or says why it refuses it.</summary>
    public AlertOutcome Receive(AlertmanagerWebhookAlert alert, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var labels = alert.Labels ?? new Dictionary<string, string>();
        var alertname = labels.GetValueOrDefault("alertname");
        var fingerprint = string.IsNullOrEmpty(alert.Fingerprint) ? LabelText(labels) : alert.Fingerprint;
        if (!labels.TryGetValue("bramble_action", out var action) || string.IsNullOrEmpty(action))
        {
            return new AlertOutcome(fingerprint, alertname, InboundOutcomes.Ignored, "no bramble_action label", null);
        }

        if (string.Equals(alert.Status, "resolved", StringComparison.OrdinalIgnoreCase))
        {
            var closed = _open.Remove(fingerprint, out var record);
            return new AlertOutcome(fingerprint, alertname, InboundOutcomes.Resolved, closed ? null : "no open request for this alert", record?.Id);
        }

        var missing = Missing(action, labels);
        if (missing is null && IncidentLadder.RequestStep(action, labels.GetValueOrDefault("unit"), labels.GetValueOrDefault("hook"), _settings) is null)
        {
            return new AlertOutcome(fingerprint, alertname, InboundOutcomes.RefusedUnknownAction,
                $"unknown bramble_action '{action}' (restart-kubelet, restart-unit, remount-nfs, gratuitous-arp, reboot, hook)", null);
        }

        if (missing is not null)
        {
            return new AlertOutcome(fingerprint, alertname, InboundOutcomes.RefusedMissingLabel, $"bramble_action '{action}' needs label '{missing}'", null);
        }

        if (_open.TryGetValue(fingerprint, out var known))
        {
            _open[fingerprint] = known with { LastSeenAt = now };
            return new AlertOutcome(fingerprint, alertname, InboundOutcomes.Refreshed, null, known.Id);
        }

        var incident = Open(alert, labels, alertname, fingerprint, action, now);
        _open[fingerprint] = incident;
        return new AlertOutcome(fingerprint, alertname, InboundOutcomes.Accepted, null, incident.Id);
    }

    /// <summary>
    /// The open requests the planner sees, one per incident key (two alerts asking the same of the same node are one
    /// request: the older one); first closes those not heard of within the expiry and returns them in <paramref name="expired"/>.
    /// </summary>
    public IReadOnlyList<IncidentRecord> Open(DateTimeOffset now, out IReadOnlyList<IncidentRecord> expired)
    {
        var gone = _open.Where(e => now - e.Value.LastSeenAt > _expiry).ToArray();
        foreach (var (fingerprint, _) in gone)
        {
            _open.Remove(fingerprint);
        }

        expired = gone.Select(e => e.Value).ToArray();
        return _open.Values.GroupBy(i => i.Key, StringComparer.Ordinal)
            .Select(g => g.OrderBy(i => i.FiringAt).ThenBy(i => i.Id, StringComparer.Ordinal).First())
            .ToArray();
    }

    public int Count => _open.Count;

    private static string? Missing(string action, IReadOnlyDictionary<string, string> labels)
    {
        string? need = action switch
        {
            "restart-unit" => "unit",
            "remount-nfs" => "mount",
            "gratuitous-arp" => "vip",
            "hook" => "hook",
            _ => null,
        };
        var known = need is not null || action is "restart-kubelet" or "reboot";
        if (known && string.IsNullOrEmpty(labels.GetValueOrDefault("node")))
        {
            return "node";
        }

        return need is not null && string.IsNullOrEmpty(labels.GetValueOrDefault(need)) ? need : null;
    }

    private static IncidentRecord Open(
        AlertmanagerWebhookAlert alert, IReadOnlyDictionary<string, string> labels, string? alertname, string fingerprint, string action, DateTimeOffset now)
    {
        var node = labels["node"];
        var subject = new Subject(node, NonEmpty(labels.GetValueOrDefault("mount")), NonEmpty(labels.GetValueOrDefault("vip")));
        var severity = Enum.TryParse<Severity>(labels.GetValueOrDefault("severity"), ignoreCase: true, out var parsed)
            && !int.TryParse(labels.GetValueOrDefault("severity"), out _) ? parsed : Severity.Warning;
        // Alertmanager's startsAt names this firing spell: a later spell of the same alert is a new incident.
        var startsAt = alert.StartsAt is { Year: > 1 } s ? s : now;
        var id = string.Create(CultureInfo.InvariantCulture, $"am-{fingerprint}-{startsAt.ToUnixTimeSeconds()}");
        var evidence = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["alertname"] = alertname ?? string.Empty,
            [IncidentLadder.ActionKey] = action,
            ["labels"] = LabelText(labels),
            ["generatorURL"] = alert.GeneratorURL ?? string.Empty,
            ["fingerprint"] = fingerprint,
            ["startsAt"] = startsAt.ToString("O", CultureInfo.InvariantCulture),
        };
        foreach (var key in new[] { IncidentLadder.UnitKey, IncidentLadder.HookKey })
        {
            if (labels.TryGetValue(key, out var value) && value.Length > 0)
            {
                evidence[key] = value;
            }
        }

        var summary = alert.Annotations?.GetValueOrDefault("summary") is { Length: > 0 } text
            ? $"Alertmanager asks {action} on {node} ({alertname}): {text}"
            : $"Alertmanager asks {action} on {node} ({alertname})";
        // Firing from when Bramble heard of it: the Settle guard counts on this clock, not on Alertmanager's.
        return new IncidentRecord(id, IncidentLadder.AlertmanagerRequestKind, subject, severity, IncidentState.Firing,
            now, now, null, now, null, summary, evidence);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    /// <summary>The labels in Prometheus's rendering, sorted: {a="1", b="2"}.</summary>
    private static string LabelText(IReadOnlyDictionary<string, string> labels) =>
        "{" + string.Join(", ", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}=\"{l.Value}\"")) + "}";
}
