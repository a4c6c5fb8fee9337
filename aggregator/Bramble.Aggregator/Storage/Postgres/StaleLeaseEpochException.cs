namespace Bramble.Aggregator.Storage.Postgres;

/// <summary>
/// A write that acts on the world was refused because this aggregator's lease epoch is no longer the current one (or
/// it holds none): another aggregator leads now, and only its decisions may reach agents and receivers. Not an
/// InvalidOperationException on purpose: the degraded-mode decorators must not hold such a write to retry it later.
/// </summary>
public sealed class StaleLeaseEpochException : Exception
{
    public StaleLeaseEpochException()
    {
    }

    public StaleLeaseEpochException(string message)
        : base(message)
    {
    }

    public StaleLeaseEpochException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public StaleLeaseEpochException(string store, long? epoch)
        : base(epoch is { } e
            ? $"The {store} write was refused: lease epoch {e} is no longer current (another aggregator leads)"
            : $"The {store} write was refused: this aggregator does not hold the leader lease")
    {
        Store = store;
    }

    public string Store { get; } = string.Empty;
}
