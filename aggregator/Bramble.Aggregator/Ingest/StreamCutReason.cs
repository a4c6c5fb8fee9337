namespace Bramble.Aggregator.Ingest;

/// <summary>Why the aggregator itself ended an agent stream that broke no message rule.</summary>
public enum StreamCutReason
{
    /// <summary>No Hello within Aggregator:HelloTimeout.</summary>
    NoHello,

    /// <summary>A write to the agent waited longer than Aggregator:StalledWriteTimeout: the agent stopped reading.</summary>
    WriteStalled,
}
