using Bramble.Protos.V1;

namespace Bramble.Aggregator.Ingest;

/// <summary>Why one message was refused: the reason code sent back and a detail for logs.</summary>
public sealed record Rejection(RejectReason Reason, string Detail)
{
    /// <summary>The metric label for this reason ("too_large", "node_mismatch", …).</summary>
    public string Label => ReasonLabel(Reason);

    public static string ReasonLabel(RejectReason reason) => reason switch
    {
        RejectReason.TooLarge => "too_large",
        RejectReason.OutOfOrder => "out_of_order",
        RejectReason.InvalidValue => "invalid_value",
        RejectReason.NodeMismatch => "node_mismatch",
        RejectReason.Malformed => "malformed",
        _ => "other",
    };
}
