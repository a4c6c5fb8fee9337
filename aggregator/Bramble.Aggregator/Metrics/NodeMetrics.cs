using Bramble.Aggregator.Nodes;
using Bramble.Protos.V1;
using Prometheus;

namespace Bramble.Aggregator.Metrics;

/// <summary>
/// Node vitals in base units, added to the aggregator's one registry (<see cref="AggregatorMetrics.Registry"/>) and
/// refreshed from each node's latest report at scrape time. Pressure stalls follow node_exporter: counters of the
/// kernel's cumulative stall time (rate() gives the share of time stalled), not its avg10/60/300 gauges, which
/// Prometheus can compute over any window itself.
/// </summary>
public sealed class NodeMetrics
{
    private static readonly string[] Node = ["node"];

    private readonly NodeDirectory _nodes;
    private readonly Lock _gate = new();
    private readonly MonotonicFollower _followed = new();
    private readonly Counter _pressureStalled;
    private readonly Gauge _rootSize;
    private readonly Gauge _rootAvailable;
    private readonly Counter _rootWritten;
    private readonly Gauge _stateFsync;
    private readonly Gauge _stateFailed;
    private readonly Gauge _clockMaxError;
    private readonly Gauge _clockEstimatedError;
    private readonly Gauge _bootTime;

    public NodeMetrics(NodeDirectory nodes, AggregatorMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        _nodes = nodes;
        var factory = Prometheus.Metrics.WithCustomRegistry(metrics.Registry);
        _pressureStalled = factory.CreateCounter("bramble_node_pressure_stalled_seconds_total",
            "Time tasks stalled on the resource (PSI total; kind some: at least one task, full: all non-idle tasks at once).", ["node", "resource", "kind"]);
        _rootSize = factory.CreateGauge("bramble_node_root_size_bytes", "Size of the root filesystem.", Node);
        _rootAvailable = factory.CreateGauge("bramble_node_root_available_bytes", "Space on the root filesystem available to unprivileged users.", Node);
        _rootWritten = factory.CreateCounter("bramble_node_root_device_written_bytes_total", "Bytes written to the root's block device (SD-card wear), across the node's reboots.", Node);
        _stateFsync = factory.CreateGauge("bramble_node_state_storage_fsync_seconds",
            "create + write + fsync + remove of a tiny file under the cluster's state directory, last probe.", Node);
        _stateFailed = factory.CreateGauge("bramble_node_state_storage_failed", "1 when the last state-storage probe failed or hung.", Node);
        _clockMaxError = factory.CreateGauge("bramble_node_clock_max_error_seconds", "The kernel's maximum clock error (adjtimex maxerror).", Node);
        _clockEstimatedError = factory.CreateGauge("bramble_node_clock_estimated_error_seconds", "The kernel's estimated clock error (adjtimex esterror).", Node);
        _bootTime = factory.CreateGauge("bramble_node_boot_time_seconds", "Unix time the node booted (its report time minus its uptime, on the node's clock).", Node);
        metrics.Registry.AddBeforeCollectCallback(Refresh);
    }

    private void Refresh()
    {
        // Scrapes may overlap; the follower's memory must see one at a time.
        lock (_gate)
        {
            foreach (var entry in _nodes.List())
            {
                Report? report;
                lock (entry.Gate)
                {
                    report = entry.LatestReport;
                }

                if (report?.Vitals is { } vitals)
                {
                    Refresh(entry.Name, report, vitals);
                }
            }
        }
    }

    private void Refresh(string node, Report report, NodeVitals v)
    {
        Stalled(node, "cpu", v.CpuPressure);
        Stalled(node, "memory", v.MemoryPressure);
        Stalled(node, "io", v.IoPressure);
        if (v.HasRootSizeBytes)
        {
            _rootSize.WithLabels(node).Set(v.RootSizeBytes);
        }

        if (v.HasRootAvailableBytes)
        {
            _rootAvailable.WithLabels(node).Set(v.RootAvailableBytes);
        }

        if (v.HasRootDeviceWrittenBytes)
        {
            _rootWritten.WithLabels(node).Inc(_followed.Increment($"{node}|written", v.RootDeviceWrittenBytes));
        }

        if (v.StateStorage is { } storage)
        {
            _stateFailed.WithLabels(node).Set(storage.Error.Length > 0 ? 1 : 0);
            if (storage.FsyncLatency is { } latency)
            {
                _stateFsync.WithLabels(node).Set(latency.ToTimeSpan().TotalSeconds);
            }
        }

        if (v.ClockMaxError is { } maxError)
        {
            _clockMaxError.WithLabels(node).Set(maxError.ToTimeSpan().TotalSeconds);
        }

        if (v.ClockEstimatedError is { } estimatedError)
        {
            _clockEstimatedError.WithLabels(node).Set(estimatedError.ToTimeSpan().TotalSeconds);
        }

        if (report.ObservedAt is { } observed && v.UptimeSeconds > 0)
        {
            _bootTime.WithLabels(node).Set(Math.Round(observed.ToDateTimeOffset().ToUnixTimeMilliseconds() / 1000.0 - v.UptimeSeconds));
        }
    }

    private void Stalled(string node, string resource, Pressure? pressure)
    {
        if (pressure?.Some?.Total is { } some)
        {
            _pressureStalled.WithLabels(node, resource, "some").Inc(_followed.Increment($"{node}|{resource}|some", some.ToTimeSpan().TotalSeconds));
        }

        if (pressure?.Full?.Total is { } full)
        {
            _pressureStalled.WithLabels(node, resource, "full").Inc(_followed.Increment($"{node}|{resource}|full", full.ToTimeSpan().TotalSeconds));
        }
    }
}
