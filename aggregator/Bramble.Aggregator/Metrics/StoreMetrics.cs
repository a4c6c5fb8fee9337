using Bramble.Aggregator.Storage.Degraded;
using Prometheus;

namespace Bramble.Aggregator.Metrics;

/// <summary>
/// The store's degraded mode in the aggregator's registry, set at scrape time from <see cref="StoreHealth"/>: whether
/// each store can write, how much waits in memory, what was given up. The ledger's failure count comes from the
/// ledger flusher (in <see cref="AggregatorMetrics"/>); the incident store's is added here to the same family.
/// </summary>
public sealed class StoreMetrics
{
    public const string StoreLabel = "store";
    public const string WriteFailuresName = "bramble_store_write_failures_total";
    public const string WriteFailuresHelp = "Failed writes to the store, by store (ledger: node ledgers, incidents: incident changes, remediation: decisions and audit, alerts: alert deliveries).";
    public const string HealthyName = "bramble_store_healthy";
    public const string HealthyHelp = "1 while the last write to the store succeeded, else 0, by store (ledger, incidents, remediation, alerts).";

    private readonly StoreHealth _health;
    private readonly Gauge _degraded;
    private readonly Gauge _held;
    private readonly Counter _dropped;
    private readonly Counter _failures;
    private readonly Gauge _healthy;

    public StoreMetrics(AggregatorMetrics metrics, StoreHealth health)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        _health = health;
        var factory = Prometheus.Metrics.WithCustomRegistry(metrics.Registry);
        string[] store = [StoreLabel];
        _degraded = factory.CreateGauge("bramble_store_degraded", "1 while the store cannot write (e.g. disk full) and the aggregator runs from memory, else 0.", store);
        _held = factory.CreateGauge("bramble_store_held_in_memory", "Changes kept in memory because the store could not write them yet.", store);
        _dropped = factory.CreateCounter("bramble_store_dropped_total", "Changes given up while the store could not write (memory bound reached); never written.", store);
        // The same family AggregatorMetrics registered (same name and labels): the registry hands back that instance.
        _failures = factory.CreateCounter(WriteFailuresName, WriteFailuresHelp, store);
        _healthy = factory.CreateGauge(HealthyName, HealthyHelp, store); // the ledger's is set by AggregatorMetrics
        metrics.Registry.AddBeforeCollectCallback(Refresh);
    }

    private void Refresh()
    {
        foreach (var s in _health.Snapshot())
        {
            _degraded.WithLabels(s.Store).Set(s.Degraded ? 1 : 0);
            _held.WithLabels(s.Store).Set(s.HeldInMemory);
            _dropped.WithLabels(s.Store).IncTo(s.Dropped);
            if (s.Store != StoreHealth.Ledger)
            {
                _failures.WithLabels(s.Store).IncTo(s.Failures);
                _healthy.WithLabels(s.Store).Set(s.Degraded ? 0 : 1);
            }
        }
    }
}
