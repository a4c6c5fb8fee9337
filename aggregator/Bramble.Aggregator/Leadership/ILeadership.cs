namespace Bramble.Aggregator.Leadership;

/// <summary>
/// Whether this aggregator may act on the world (evaluate rules into incidents, plan and send remediation, deliver
/// alerts, take agent streams). One aggregator on SQLite always may; several on PostgreSQL take turns by lease.
/// </summary>
public interface ILeadership
{
    /// <summary>"single" (one aggregator, SQLite) or "lease" (PostgreSQL leader lease).</summary>
    string Mode { get; }

    LeadershipTerm Current { get; }

    /// <summary>Times this aggregator gained or lost leadership since it started.</summary>
    long Changes { get; }
}
