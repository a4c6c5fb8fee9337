namespace Bramble.Engine.Nodes;

/// <summary>What the ledger made of one report's sequence number.</summary>
public enum SequenceVerdict
{
    /// <summary>The next report in order: process it.</summary>
    Next,

    /// <summary>Later than the next one: reports in between never arrived (counted as a gap). Process it.</summary>
    AfterGap,

    /// <summary>Already processed for this boot (a replay after a lost ack): drop it.</summary>
    Duplicate,
}
