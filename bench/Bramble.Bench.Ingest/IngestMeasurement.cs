namespace Bramble.Bench.Ingest;

/// <summary>What every simulated agent shares: whether the measured phase is on, and the ack latencies seen in it.</summary>
internal sealed class IngestMeasurement
{
    private volatile bool _recording;

    public LatencyHistogram AckLatencies { get; } = new();

    /// <summary>True only during the measured phase: warm-up and drain latencies are not counted.</summary>
    public bool Recording
    {
        get => _recording;
        set => _recording = value;
    }
}
