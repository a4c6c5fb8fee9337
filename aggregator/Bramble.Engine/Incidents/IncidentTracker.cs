using Bramble.Engine.Rules;
using Bramble.Engine.Timing;

namespace Bramble.Engine.Incidents;

/// <summary>
/// The incident lifecycle, pure: findings in, transitions out. A finding opens a pending incident (one per kind and
/// subject); it fires once the finding has held for the rule's For; a firing incident resolves only after its finding
/// has stayed away for ResolveAfter (hysteresis), so flapping does not open a second incident; a pending one whose
/// finding goes away resolves at once without ever firing. After a restart, open incidents continue with their
/// original times, and nothing resolves during the warm-up (the rules need that long to see the cluster again), nor,
/// after it, an incident about a node not heard from since (<c>unheardNodes</c>).
/// For, ResolveAfter and the warm-up are measured on the monotonic clock (<see cref="MonotonicAges{TKey}"/>): the
/// wall-clock times stay what is stored and shown, but a step of the wall clock neither fires, resolves nor holds an
/// incident.
/// </summary>
public sealed class IncidentTracker
{
    private readonly IReadOnlyDictionary<string, RuleSettings> _settings;
    private readonly Dictionary<string, IncidentRecord> _open = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly long _createdTimestamp;
    private readonly TimeSpan _warmUpLeft;
    private readonly MonotonicAges<string> _started;
    private readonly MonotonicAges<string> _lastSeen;
    private IReadOnlyList<IncidentRecord> _openView = [];

    public IncidentTracker(
        IReadOnlyDictionary<string, RuleSettings> settings, IEnumerable<IncidentRecord> restoredOpen, DateTimeOffset monitoringSince, TimeSpan warmUp, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(restoredOpen);
        ArgumentNullException.ThrowIfNull(time);
        _settings = settings;
        _time = time;
        _createdTimestamp = time.GetTimestamp();
        var left = monitoringSince + warmUp - time.GetUtcNow();
        _warmUpLeft = left < TimeSpan.Zero ? TimeSpan.Zero : left > warmUp ? warmUp : left;
        _started = new MonotonicAges<string>(time, StringComparer.Ordinal);
        _lastSeen = new MonotonicAges<string>(time, StringComparer.Ordinal);
        foreach (var incident in restoredOpen.Where(i => i.IsOpen))
        {
            _open[incident.Key] = incident;
        }

        _openView = _open.Values.ToArray();
    }

    /// <summary>Open (pending and firing) incidents after the last pass; safe to read from other threads.</summary>
    public IReadOnlyList<IncidentRecord> Open => Volatile.Read(ref _openView);

    /// <param name="unheardNodes">
    /// Nodes this aggregator has had no report from since it began watching (a restart, a new leadership term): an open
    /// incident about one of them is held as it is, since its finding's absence says nothing yet — not recovery.
    /// </param>
    public IncidentUpdate Apply(EvaluationResult result, DateTimeOffset now, IReadOnlySet<string>? unheardNodes = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        var changed = new Dictionary<string, IncidentRecord>(StringComparer.Ordinal);
        var transitions = new List<IncidentTransition>();
        var present = new HashSet<string>(StringComparer.Ordinal);

        foreach (var finding in result.Findings)
        {
            if (!present.Add(finding.Key))
            {
                continue;
            }

            var settings = SettingsOf(finding.Kind);
            if (_open.TryGetValue(finding.Key, out var incident))
            {
                incident = incident with { LastSeenAt = now, Severity = finding.Severity, Summary = finding.Summary, Evidence = finding.Evidence };
                _lastSeen.Mark(finding.Key, now);
            }
            else
            {
                incident = new IncidentRecord(IncidentIds.Create(finding.Kind, finding.Subject, now), finding.Kind, finding.Subject, finding.Severity,
                    IncidentState.Pending, now, null, null, now, null, finding.Summary, finding.Evidence);
                transitions.Add(new IncidentTransition(incident.Id, incident.Kind, null, IncidentState.Pending, now));
                changed[incident.Key] = incident;
                _started.Mark(finding.Key, now);
                _lastSeen.Mark(finding.Key, now);
            }

            if (incident.State == IncidentState.Pending && _started.Age(finding.Key, incident.StartedAt, now) >= settings.For)
            {
                incident = incident with { State = IncidentState.Firing, FiringAt = now };
                transitions.Add(new IncidentTransition(incident.Id, incident.Kind, IncidentState.Pending, IncidentState.Firing, now));
                changed[incident.Key] = incident;
            }

            _open[finding.Key] = incident;
        }

        foreach (var incident in _open.Values.ToArray())
        {
            if (present.Contains(incident.Key) || (incident.Subject.Node is { } node && unheardNodes?.Contains(node) == true))
            {
                continue;
            }

            var absentLongEnough = incident.State == IncidentState.Pending
                || _lastSeen.Age(incident.Key, incident.LastSeenAt, now) >= SettingsOf(incident.Kind).ResolveAfter;
            if (absentLongEnough && _time.GetElapsedTime(_createdTimestamp) >= _warmUpLeft)
            {
                var resolved = incident with { State = IncidentState.Resolved, ResolvedAt = now };
                transitions.Add(new IncidentTransition(incident.Id, incident.Kind, incident.State, IncidentState.Resolved, now));
                changed[incident.Key] = resolved;
                _open.Remove(incident.Key);
                _started.Forget(incident.Key);
                _lastSeen.Forget(incident.Key);
            }
        }

        LinkCauses(result, changed);
        Volatile.Write(ref _openView, _open.Values.ToArray());
        return changed.Count == 0 && transitions.Count == 0 ? IncidentUpdate.None : new IncidentUpdate(changed.Values.ToArray(), transitions);
    }

    /// <summary>Attributes each open child to its cause's incident; the link is kept once made (it is history).</summary>
    private void LinkCauses(EvaluationResult result, Dictionary<string, IncidentRecord> changed)
    {
        foreach (var (childKey, causeKey) in result.CauseOf)
        {
            if (_open.TryGetValue(childKey, out var child) && _open.TryGetValue(causeKey, out var cause) && child.Cause != cause.Id)
            {
                child = child with { Cause = cause.Id };
                _open[childKey] = child;
                changed[childKey] = child;
            }
        }
    }

    private RuleSettings SettingsOf(string kind) =>
        _settings.TryGetValue(kind, out var settings) ? settings : DefaultSettings;

    private static readonly RuleSettings DefaultSettings = new();
}
