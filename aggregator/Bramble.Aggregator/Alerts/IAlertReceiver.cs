using Bramble.Engine.Incidents;

namespace Bramble.Aggregator.Alerts;

/// <summary>One destination with its own outbox queue, delivery loop and circuit breaker.</summary>
public interface IAlertReceiver
{
    string Name { get; }

    /// <summary>Per-call deadline.</summary>
    TimeSpan Timeout { get; }

    /// <summary>Delivers one entry; throws when the receiver did not take it (non-2xx, refused, timed out).</summary>
    Task SendAsync(AlertMessage message, CancellationToken cancellationToken);

    /// <summary>Whether firing incidents must be re-sent periodically (Alertmanager forgets them otherwise).</summary>
    bool NeedsRefresh { get; }

    Task RefreshAsync(IncidentRecord firing, CancellationToken cancellationToken);
}
