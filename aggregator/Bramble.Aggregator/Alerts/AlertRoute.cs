using Bramble.Engine.Rules;

namespace Bramble.Aggregator.Alerts;

/// <summary>
/// Which entries one receiver gets: decided when the transition is written, so filters cost no delivery.
/// <see cref="Escalations"/>: it takes remediation events (escalated, succeeded, failed, suppressed) too.
/// </summary>
public sealed record AlertRoute(string Receiver, IReadOnlySet<string> Kinds, Severity MinSeverity, bool Escalations)
{
    public bool Accepts(string kind, Severity severity, string alertEvent) =>
        (Kinds.Count == 0 || Kinds.Contains(kind))
        && severity >= MinSeverity
        && (Escalations || !AlertEvents.IsRemediation(alertEvent));
}
