namespace Bramble.Aggregator.Alerts;

/// <summary>
/// The delivery side of the alert outbox and its dead letters, whichever engine holds them (SQLite by default,
/// PostgreSQL shared by several aggregators). Rows are written by the incident and remediation stores inside their
/// own transactions (<see cref="AlertOutboxWriter"/>); this side reads the head, records the outcome and dead-letters.
/// </summary>
public interface IAlertOutbox
{
    /// <summary>The receiver's oldest entry still to deliver: delivering strictly in order keeps every incident's order.</summary>
    AlertMessage? Head(string receiver);

    /// <summary>Entries still to deliver for the receiver.</summary>
    int Pending(string receiver);

    /// <summary>Whether the receiver still has entries for this incident (a re-send must not overtake them).</summary>
    bool HasPending(string receiver, string incidentId);

    int DeadLetterCount();

    /// <summary>Records the entry as delivered (removes it), so it is never sent again.</summary>
    void Delivered(long seq);

    /// <summary>Counts a failed attempt.</summary>
    void Failed(long seq, string lastError);

    /// <summary>Writes delivered entries held back by an earlier write failure; true when none is left.</summary>
    bool TryFlushHeld();

    /// <summary>Moves the entry to the dead letters.</summary>
    void DeadLetter(long seq, DateTimeOffset now);

    /// <summary>Moves every entry of a receiver not in <paramref name="receivers"/> to the dead letters, with <paramref name="reason"/>.</summary>
    IReadOnlyList<(string Receiver, int Count)> DeadLetterAllBut(IReadOnlyCollection<string> receivers, DateTimeOffset now, string reason);

    IReadOnlyList<DeadLetter> DeadLetters(int limit);
}
