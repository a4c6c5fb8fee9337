using Bramble.Engine.Remediation;

namespace Bramble.Aggregator.Storage.Degraded;

/// <summary>
/// Wraps any remediation store to report its write health. A failed save still throws, and that is the point: the
/// coordinator saves a decision before it sends the command (so a crash never sends one twice), so while the store
/// cannot write no command is sent — remediation refuses to act rather than act unrecorded. Holding decisions in
/// memory instead would let a crash forget a command already sent and send it again. <see cref="Probe"/> rewrites
/// what is already on disk, so recovery is noticed even when no decision is due.
/// </summary>
public sealed class HealthReportingRemediationStore : IRemediationStore, IDisposable
{
    private readonly IRemediationStore _inner;
    private readonly StoreHealth _health;
    private readonly Lock _gate = new();
    private bool _failing;

    public HealthReportingRemediationStore(IRemediationStore inner, StoreHealth health)
    {
        _inner = inner;
        _health = health;
    }

    /// <summary>True from a failed save until a save (or probe) succeeds.</summary>
    public bool Failing
    {
        get
        {
            lock (_gate)
            {
                return _failing;
            }
        }
    }

    public RemediationState? LoadState() => _inner.LoadState();

    public void Save(RemediationState state, IReadOnlyList<AuditEntry> audit, DateTimeOffset now)
    {
        lock (_gate)
        {
            Write(() => _inner.Save(state, audit, now), rethrow: true);
        }
    }

    /// <summary>
    /// While failing, writes the durable state back unchanged (read from the store, never the planner's in-memory
    /// state, which may hold decisions that were not carried out): true once that write succeeds.
    /// </summary>
    public bool Probe(DateTimeOffset now)
    {
        lock (_gate)
        {
            if (!_failing)
            {
                return true;
            }

            if (_inner.LoadState() is not { } durable)
            {
                // Nothing on disk to rewrite; the next decision's save tells.
                return false;
            }

            return Write(() => _inner.Save(durable, [], now), rethrow: false);
        }
    }

    public IReadOnlyList<StoredAuditEntry> Audit(string? incidentId, string? planId, long? before, int limit) =>
        _inner.Audit(incidentId, planId, before, limit);

    public void Dispose() => (_inner as IDisposable)?.Dispose();

    private bool Write(Action write, bool rethrow)
    {
        try
        {
            write();
        }
        catch (Exception e) when (StoreFailures.IsWriteFailure(e))
        {
            _failing = true;
            _health.Failed(StoreHealth.Remediation, e);
            if (rethrow)
            {
                throw;
            }

            return false;
        }

        _failing = false;
        _health.Succeeded(StoreHealth.Remediation);
        return true;
    }
}
