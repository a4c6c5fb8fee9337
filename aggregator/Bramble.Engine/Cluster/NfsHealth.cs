namespace Bramble.Engine.Cluster;

/// <summary>What the agent's isolated write+fsync+read probe found on one mount.</summary>
public enum NfsHealth
{
    Unknown,
    Ok,
    Slow,
    Hung,
    Error,
}
