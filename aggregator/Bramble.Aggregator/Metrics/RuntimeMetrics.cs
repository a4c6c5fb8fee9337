using System.Diagnostics;
using Prometheus;

namespace Bramble.Aggregator.Metrics;

/// <summary>
/// The aggregator's own footprint (managed heap, threads), read at each scrape: the soak test and an operator watch these
/// stay flat, and the registry is a custom one without prometheus-net's default process collectors.
/// </summary>
public sealed class RuntimeMetrics
{
    private readonly Gauge _gcHeap;
    private readonly Gauge _threads;

    public RuntimeMetrics(AggregatorMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var factory = Prometheus.Metrics.WithCustomRegistry(metrics.Registry);
        _gcHeap = factory.CreateGauge("bramble_aggregator_gc_heap_bytes", "Size of the aggregator's managed heap after the last garbage collection.");
        _threads = factory.CreateGauge("bramble_aggregator_threads", "Threads of the aggregator process.");
        metrics.Registry.AddBeforeCollectCallback(Refresh);
    }

    private void Refresh()
    {
        _gcHeap.Set(GC.GetGCMemoryInfo().HeapSizeBytes);
        using var self = Process.GetCurrentProcess();
        _threads.Set(self.Threads.Count);
    }
}
