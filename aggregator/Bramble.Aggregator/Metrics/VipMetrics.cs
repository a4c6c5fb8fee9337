using Bramble.Aggregator.Incidents;
using Bramble.Aggregator.Nodes;
using Bramble.Engine.Vips;
using Prometheus;

namespace Bramble.Aggregator.Metrics;

/// <summary>
/// VIP ownership metrics, in the aggregator's registry, set at scrape time from the owner tracker and the nodes' latest
/// reports. Series of owners, observers or ports that went away are removed rather than left stale.
/// </summary>
public sealed class VipMetrics
{
    // Keepalived with sub-second adverts fails over in ~0.3 s, with defaults in ~3 s; a stuck MetalLB speaker takes tens.
    private static readonly double[] FailoverBuckets = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60];

    private readonly VipOwnerTracker _tracker;
    private readonly NodeDirectory _nodes;
    private readonly Gauge _ownerInfo;
    private readonly Counter _ownerChanges;
    private readonly Histogram _failoverDuration;
    private readonly Gauge _arpReply;
    private readonly Gauge _serviceUp;
    private readonly Lock _gate = new();
    private HashSet<(string Vip, string Node, string Mac)> _owners = [];
    private HashSet<(string Vip, string Observer)> _replies = [];
    private HashSet<(string Vip, string Port)> _ports = [];

    public VipMetrics(AggregatorMetrics metrics, VipOwnerTracker tracker, NodeDirectory nodes)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        _tracker = tracker;
        _nodes = nodes;
        var factory = Prometheus.Metrics.WithCustomRegistry(metrics.Registry);
        _ownerInfo = factory.CreateGauge("bramble_vip_owner_info", "1 for each MAC answering for the VIP now, with the node it belongs to (empty when none).", ["vip", "node", "mac"]);
        _ownerChanges = factory.CreateCounter("bramble_vip_owner_changes_total", "Times a new MAC became an owner of the VIP since the aggregator started.", ["vip"]);
        _failoverDuration = factory.CreateHistogram("bramble_vip_failover_duration_seconds",
            "Failovers of the VIP, from the old owner's last answer to the new owner's first answer or gratuitous ARP (wire times).",
            ["vip"], new HistogramConfiguration { Buckets = FailoverBuckets });
        _arpReply = factory.CreateGauge("bramble_vip_arp_reply_seconds", "First ARP reply latency for the VIP at the observing node in its last window (fastest responder).", ["vip", "node"]);
        _serviceUp = factory.CreateGauge("bramble_vip_service_up", "1 when a TCP connect to the VIP's port succeeded at some observer that checked it, else 0.", ["vip", "port"]);
        metrics.Registry.AddBeforeCollectCallback(Refresh);
    }

    private void Refresh()
    {
        lock (_gate)
        {
            RefreshOwnership();
            RefreshReports();
        }
    }

    private void RefreshOwnership()
    {
        var nodeOfMac = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in _nodes.List())
        {
            lock (entry.Gate)
            {
                foreach (var mac in VipViewMapper.Macs(entry.LastHello))
                {
                    nodeOfMac.TryAdd(mac.ToLowerInvariant(), entry.Name);
                }
            }
        }

        var owners = new HashSet<(string, string, string)>();
        foreach (var (vip, ownership) in _tracker.Snapshot(nodeOfMac))
        {
            _ownerChanges.WithLabels(vip).IncTo(ownership.OwnerChanges);
            foreach (var owner in ownership.Owners)
            {
                owners.Add((vip, owner.Node ?? string.Empty, owner.Mac));
            }
        }

        foreach (var failover in _tracker.DrainSettled())
        {
            _failoverDuration.WithLabels(failover.Vip).Observe(failover.Duration.TotalSeconds);
        }

        _owners = Publish(_ownerInfo, _owners, owners, o => [o.Item1, o.Item2, o.Item3], _ => 1);
    }

    private void RefreshReports()
    {
        var replies = new Dictionary<(string Vip, string Observer), double>();
        var ports = new Dictionary<(string Vip, string Port), bool>();
        foreach (var entry in _nodes.List())
        {
            lock (entry.Gate)
            {
                if (entry.LatestReport is not { } report)
                {
                    continue;
                }

                foreach (var vip in report.Vips)
                {
                    var fastest = vip.Responders.Where(r => r.FirstReplyLatency is not null).Select(r => r.FirstReplyLatency.ToTimeSpan().TotalSeconds).DefaultIfEmpty(double.NaN).Min();
                    if (!double.IsNaN(fastest))
                    {
                        replies[(vip.Address, entry.Name)] = fastest;
                    }

                    foreach (var port in vip.Ports)
                    {
                        var key = (vip.Address, port.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
                        ports[key] = ports.GetValueOrDefault(key) || port.Open;
                    }
                }
            }
        }

        _replies = Publish(_arpReply, _replies, replies.Keys.ToHashSet(), k => [k.Vip, k.Observer], k => replies[k]);
        _ports = Publish(_serviceUp, _ports, ports.Keys.ToHashSet(), k => [k.Vip, k.Port], k => ports[k] ? 1 : 0);
    }

    /// <summary>Sets the current series and removes the ones published before that are gone now.</summary>
    private static HashSet<T> Publish<T>(Gauge gauge, HashSet<T> before, HashSet<T> now, Func<T, string[]> labels, Func<T, double> value)
    {
        foreach (var key in now)
        {
            gauge.WithLabels(labels(key)).Set(value(key));
        }

        foreach (var gone in before.Where(k => !now.Contains(k)))
        {
            gauge.RemoveLabelled(labels(gone));
        }

        return now;
    }
}
