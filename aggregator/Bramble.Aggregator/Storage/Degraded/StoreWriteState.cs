namespace Bramble.Aggregator.Storage.Degraded;

/// <summary>One store's write health as the API, the status page and /metrics show it.</summary>
/// <param name="Store">`ledger`, `incidents`, `remediation` or `alerts`.</param>
/// <param name="Degraded">True from the first failed write until the next one succeeds.</param>
/// <param name="Since">When the current degraded spell began; null while healthy.</param>
/// <param name="Path">The database file the store writes.</param>
/// <param name="Error">The last failure, e.g. "SQLite error 13 (SQLITE_FULL, errno ENOSPC: no space left on device)".</param>
/// <param name="Failures">Failed writes since the aggregator started.</param>
/// <param name="HeldInMemory">Changes kept in memory because they could not be written yet.</param>
/// <param name="Dropped">Changes given up since the aggregator started (memory bound reached), never written.</param>
public sealed record StoreWriteState(
    string Store,
    bool Degraded,
    DateTimeOffset? Since,
    string Path,
    string? Error,
    long Failures,
    long HeldInMemory,
    long Dropped);
