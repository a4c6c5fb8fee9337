using Bramble.Engine.Remediation;

namespace Bramble.Aggregator.Storage;

/// <summary>An audit entry with its position in the log (ascending, never reused).</summary>
public sealed record StoredAuditEntry(long Seq, AuditEntry Entry);
