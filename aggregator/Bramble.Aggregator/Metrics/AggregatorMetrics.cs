using Bramble.Aggregator.Incidents;
using Bramble.Aggregator.Ingest;
using Bramble.Aggregator.Nodes;
using Bramble.Aggregator.Storage;
using Bramble.Aggregator.Storage.Degraded;
using Bramble.Engine.Cluster;
using Bramble.Engine.Incidents;
using Prometheus;

namespace Bramble.Aggregator.Metrics;

/// <summary>
/// Every metric the aggregator exports, in one registry of its own (no default process metrics, so
/// `promtool check metrics` passes). Per-node series are set from the durable ledgers at scrape time, so
/// ingest updates no metric per report and counters continue across restarts instead of resetting.
/// </summary>
public sealed class AggregatorMetrics
{
    private readonly NodeDirectory _nodes;
    private readonly LedgerFlusher _flusher;
    private readonly Gauge _connected;
    private readonly Counter _received;
    private readonly Counter _duplicates;
    private readonly Counter _gaps;
    private readonly Counter _rejectedByNode;
    private readonly Counter _restarts;
    private readonly Counter _reboots;
    private readonly Gauge _lastReport;
    private readonly Counter _rejected;
    private readonly Counter _storeFailures;
    private readonly Gauge _storeHealthy;
    private readonly IncidentBoard _incidents;
    private readonly Gauge _openIncidents;
    private readonly Counter _incidentTransitions;
    private readonly HashSet<(string Kind, string Severity, string State)> _incidentSeries = [];

    // Two scrapes may run the collect callback at once; the series set is not thread-safe.
    private readonly Lock _incidentSeriesLock = new();
    private readonly Gauge _nfsState;
    private readonly Gauge _nfsProbeDuration;
    private readonly Gauge _nfsServerRtt;
    private readonly Gauge _nfsOptionDrift;
    private readonly Counter _nfsOperations;
    private readonly Counter _nfsRetransmissions;
    private readonly Counter _nfsMajorTimeouts;
    private readonly Gauge _vipResponders;
    private readonly Gauge _vipHeld;
    private readonly Gauge _kubeletHealthy;
    private readonly Gauge _kubeletRestarts;
    private readonly Gauge _kubeletCertificateExpiry;
    private readonly Gauge _nodeTemperature;
    private readonly Gauge _nodeThrottled;
    private readonly Gauge _nodeUnderVoltage;
    private readonly Gauge _nodeRootReadOnly;
    private readonly Gauge _nodeMemoryAvailable;
    private readonly Gauge _nodeClockSynchronized;

    public AggregatorMetrics(NodeDirectory nodes, LedgerFlusher flusher, IncidentBoard incidents, string version)
    {
        _nodes = nodes;
        _flusher = flusher;
        _incidents = incidents;
        Registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        string[] node = ["node"];

        factory.CreateGauge("bramble_build_info", "Build of the running aggregator; always 1.", ["version", "program"])
            .WithLabels(version, "aggregator").Set(1);
        _connected = factory.CreateGauge("bramble_agent_connected", "1 while the node's agent has an open report stream, else 0.", node);
        _received = factory.CreateCounter("bramble_reports_received_total", "Reports processed, once each per (node, boot, seq).", node);
        _duplicates = factory.CreateCounter("bramble_report_duplicates_total", "Replayed reports dropped because they were already processed.", node);
        _gaps = factory.CreateCounter("bramble_report_seq_gaps_total", "Reports that never arrived: the sum of jumps in sequence numbers.", node);
        _rejectedByNode = factory.CreateCounter("bramble_node_messages_rejected_total", "Messages from the node's stream that were refused.", node);
        _restarts = factory.CreateCounter("bramble_agent_restarts_total", "Agent process restarts seen without a reboot (new instance, same boot id).", node);
        _reboots = factory.CreateCounter("bramble_node_reboots_total", "Reboots seen (a new boot id in the agent's hello).", node);
        _lastReport = factory.CreateGauge("bramble_agent_last_report_timestamp_seconds", "Unix time the last report from the node was processed.", node);
        _rejected = factory.CreateCounter("bramble_messages_rejected_total", "Agent messages refused, by reason (including ones before a valid hello).", ["reason"]);
        _storeFailures = factory.CreateCounter(StoreMetrics.WriteFailuresName, StoreMetrics.WriteFailuresHelp, [StoreMetrics.StoreLabel]);
        _storeHealthy = factory.CreateGauge(StoreMetrics.HealthyName, StoreMetrics.HealthyHelp, [StoreMetrics.StoreLabel]);
        _openIncidents = factory.CreateGauge("bramble_incidents", "Open incidents (pending or firing) by kind, severity and state.", ["kind", "severity", "state"]);
        _incidentTransitions = factory.CreateCounter("bramble_incident_transitions_total", "Incident lifecycle transitions, by kind and the state entered.", ["kind", "to"]);

        string[] mount = ["node", "mount"];
        _nfsState = factory.CreateGauge("bramble_nfs_mount_state", "1 for the state the NFS probe last found the mount in (ok, slow, hung, error, unknown), 0 for the others.", ["node", "mount", "state"]);
        _nfsProbeDuration = factory.CreateGauge("bramble_nfs_probe_duration_seconds", "Duration of the last write+fsync+read+stat probe of the mount (the deadline when it hung).", mount);
        _nfsServerRtt = factory.CreateGauge("bramble_nfs_server_rtt_seconds", "Round trip of the last RPC NULL call to the NFS server, from this node.", ["node", "server"]);
        _nfsOptionDrift = factory.CreateGauge("bramble_nfs_option_drift", "Mount options that differ from the expected profile.", mount);
        _nfsOperations = factory.CreateCounter("bramble_nfs_rpc_operations_total", "RPC operations on the mount seen in reports since the aggregator started.", mount);
        _nfsRetransmissions = factory.CreateCounter("bramble_nfs_rpc_retransmissions_total", "RPC retransmissions on the mount seen in reports since the aggregator started.", mount);
        _nfsMajorTimeouts = factory.CreateCounter("bramble_nfs_rpc_major_timeouts_total", "RPC major timeouts on the mount seen in reports since the aggregator started.", mount);

        _vipResponders = factory.CreateGauge("bramble_vip_responders", "Distinct MACs that answered ARP for the VIP at this observing node in the last window.", ["vip", "node"]);
        _vipHeld = factory.CreateGauge("bramble_vip_assigned_locally", "1 when the VIP is assigned to an interface of the node.", ["vip", "node"]);
        _kubeletHealthy = factory.CreateGauge("bramble_kubelet_healthz_ok", "1 when the kubelet's healthz answered ok in the last probe.", node);
        _kubeletRestarts = factory.CreateGauge("bramble_kubelet_unit_restarts", "systemd's NRestarts of the kubelet unit as last reported (resets with the unit).", node);
        _kubeletCertificateExpiry = factory.CreateGauge("bramble_kubelet_certificate_expiry_timestamp_seconds", "Unix time a kubelet certificate expires.", ["node", "certificate"]);
        _nodeTemperature = factory.CreateGauge("bramble_node_temperature_celsius", "Hottest thermal zone of the node.", node);
        _nodeThrottled = factory.CreateGauge("bramble_node_throttled", "1 while the Pi firmware throttles or caps the CPU frequency.", node);
        _nodeUnderVoltage = factory.CreateGauge("bramble_node_under_voltage", "1 while the Pi firmware reports under-voltage.", node);
        _nodeRootReadOnly = factory.CreateGauge("bramble_node_root_read_only", "1 while the root filesystem is mounted read-only.", node);
        _nodeMemoryAvailable = factory.CreateGauge("bramble_node_memory_available_bytes", "MemAvailable of the node.", node);
        _nodeClockSynchronized = factory.CreateGauge("bramble_node_clock_synchronized", "1 when the kernel reports the clock synchronised.", node);

        Registry.AddBeforeCollectCallback(Refresh);
        Nfs = new NfsMetrics(Registry, nodes);
    }

    public CollectorRegistry Registry { get; }

    /// <summary>NFS probe steps, per-operation latency, stuck processes and ping reachability.</summary>
    public NfsMetrics Nfs { get; }

    public void MessageRejected(string reasonLabel) => _rejected.WithLabels(reasonLabel).Inc();

    public void IncidentTransition(string kind, IncidentState to) =>
        _incidentTransitions.WithLabels(kind, SqliteIncidentStore.StateName(to)).Inc();

    private void Refresh()
    {
        foreach (var entry in _nodes.List())
        {
            Engine.Nodes.NodeLedgerSnapshot s;
            bool connected;
            lock (entry.Gate)
            {
                s = entry.Ledger.Snapshot();
                connected = entry.Connected;
                RefreshNfs(entry);
                RefreshHealth(entry);
            }

            var name = s.Name;
            _connected.WithLabels(name).Set(connected ? 1 : 0);
            _received.WithLabels(name).IncTo(s.ReportsReceived);
            _duplicates.WithLabels(name).IncTo(s.DuplicatesDropped);
            _gaps.WithLabels(name).IncTo(s.SeqGaps);
            _rejectedByNode.WithLabels(name).IncTo(s.MessagesRejected);
            _restarts.WithLabels(name).IncTo(s.AgentRestarts);
            _reboots.WithLabels(name).IncTo(s.Reboots);
            if (s.LastReportAt is { } at)
            {
                _lastReport.WithLabels(name).Set(at.ToUnixTimeMilliseconds() / 1000.0);
            }
        }

        _storeFailures.WithLabels(StoreHealth.Ledger).IncTo(_flusher.Failures);
        _storeHealthy.WithLabels(StoreHealth.Ledger).Set(_flusher.Healthy ? 1 : 0);
        RefreshIncidents();
    }

    private static readonly string[] NfsStates = ["ok", "slow", "hung", "error", "unknown"];

    /// <summary>The node's NFS mounts from its latest report; the caller holds the entry's lock.</summary>
    private void RefreshNfs(NodeEntry entry)
    {
        if (entry.LatestReport is not { } report)
        {
            return;
        }

        foreach (var m in report.NfsMounts)
        {
            var state = m.State switch
            {
                Protos.V1.NfsMountState.Ok => "ok",
                Protos.V1.NfsMountState.Slow => "slow",
                Protos.V1.NfsMountState.Hung => "hung",
                Protos.V1.NfsMountState.Error => "error",
                _ => "unknown",
            };
            foreach (var candidate in NfsStates)
            {
                _nfsState.WithLabels(entry.Name, m.MountPoint, candidate).Set(candidate == state ? 1 : 0);
            }

            if (m.ProbeLatency is { } latency)
            {
                _nfsProbeDuration.WithLabels(entry.Name, m.MountPoint).Set(latency.ToTimeSpan().TotalSeconds);
            }

            if (m.ServerRtt is { } rtt)
            {
                _nfsServerRtt.WithLabels(entry.Name, m.Server).Set(rtt.ToTimeSpan().TotalSeconds);
            }
            else if (m.HasServerReachable && !m.ServerReachable)
            {
                // A failed ping has no round trip: the last good one must not stay on as if it were current.
                _nfsServerRtt.RemoveLabelled(entry.Name, m.Server);
            }

            _nfsOptionDrift.WithLabels(entry.Name, m.MountPoint).Set(m.OptionDrift.Count);
            if (entry.Nfs.Totals.TryGetValue(m.MountPoint, out var totals))
            {
                _nfsOperations.WithLabels(entry.Name, m.MountPoint).IncTo(totals.Operations);
                _nfsRetransmissions.WithLabels(entry.Name, m.MountPoint).IncTo(totals.Retransmissions);
                _nfsMajorTimeouts.WithLabels(entry.Name, m.MountPoint).IncTo(totals.MajorTimeouts);
            }
        }
    }

    /// <summary>The node's VIP views, kubelet and vitals from its latest report; the caller holds the entry's lock.</summary>
    private void RefreshHealth(NodeEntry entry)
    {
        if (entry.LatestReport is not { } report)
        {
            return;
        }

        foreach (var vip in report.Vips)
        {
            _vipResponders.WithLabels(vip.Address, entry.Name).Set(vip.Responders.Count);
            _vipHeld.WithLabels(vip.Address, entry.Name).Set(vip.AssignedLocally ? 1 : 0);
        }

        if (report.Kubelet is { } k)
        {
            _kubeletHealthy.WithLabels(entry.Name).Set(k.Healthz == Protos.V1.HealthzResult.Ok ? 1 : 0);
            _kubeletRestarts.WithLabels(entry.Name).Set(k.Restarts);
            if (k.ClientCertNotAfter is { } client)
            {
                _kubeletCertificateExpiry.WithLabels(entry.Name, "client").Set(client.Seconds);
            }

            if (k.ServingCertNotAfter is { } serving)
            {
                _kubeletCertificateExpiry.WithLabels(entry.Name, "serving").Set(serving.Seconds);
            }
        }

        if (report.Vitals is { } v)
        {
            if (v.HasCpuTemperatureCelsius)
            {
                _nodeTemperature.WithLabels(entry.Name).Set(v.CpuTemperatureCelsius);
            }

            if (v.HasThrottledFlags)
            {
                _nodeThrottled.WithLabels(entry.Name).Set((v.ThrottledFlags & (VitalsView.ThrottledNow | VitalsView.FrequencyCappedNow)) != 0 ? 1 : 0);
                _nodeUnderVoltage.WithLabels(entry.Name).Set((v.ThrottledFlags & VitalsView.UnderVoltageNow) != 0 ? 1 : 0);
            }

            _nodeRootReadOnly.WithLabels(entry.Name).Set(v.RootReadOnly ? 1 : 0);
            _nodeMemoryAvailable.WithLabels(entry.Name).Set(v.MemoryAvailableBytes);
            if (v.HasClockSynchronized)
            {
                _nodeClockSynchronized.WithLabels(entry.Name).Set(v.ClockSynchronized ? 1 : 0);
            }
        }
    }

    /// <summary>Counts open incidents per series; a series that had incidents and has none now reads 0, not stale.</summary>
    private void RefreshIncidents()
    {
        var counts = _incidents.Open
            .GroupBy(i => (i.Kind, SqliteIncidentStore.SeverityName(i.Severity), SqliteIncidentStore.StateName(i.State)))
            .ToDictionary(g => g.Key, g => g.Count());
        lock (_incidentSeriesLock)
        {
            _incidentSeries.UnionWith(counts.Keys);
            foreach (var series in _incidentSeries)
            {
                _openIncidents.WithLabels(series.Kind, series.Severity, series.State).Set(counts.GetValueOrDefault(series));
            }
        }
    }
}
