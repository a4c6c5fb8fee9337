using Bramble.Aggregator.Ingest;
using Prometheus;

namespace Bramble.Aggregator.Metrics;

/// <summary>Agent streams the aggregator cut (a silent opener, a peer that stopped reading), by reason; every reason exported from start.</summary>
public sealed class StreamCutMetrics
{
    private readonly Counter _cuts;

    public StreamCutMetrics(AggregatorMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var factory = Prometheus.Metrics.WithCustomRegistry(metrics.Registry);
        _cuts = factory.CreateCounter("bramble_agent_streams_cut_total",
            "Agent streams the aggregator ended itself: no Hello in time (no_hello), or the agent stopped reading its acks (write_stalled).", ["reason"]);
        foreach (var reason in Enum.GetValues<StreamCutReason>())
        {
            _cuts.WithLabels(Label(reason));
        }
    }

    public void Cut(StreamCutReason reason) => _cuts.WithLabels(Label(reason)).Inc();

    public static string Label(StreamCutReason reason) => reason switch
    {
        StreamCutReason.NoHello => "no_hello",
        StreamCutReason.WriteStalled => "write_stalled",
        _ => "other",
    };
}
