namespace Bramble.Engine.Rules.Nfs;

/// <summary>Rules:NfsSlow.</summary>
public sealed class NfsSlowSettings : RuleSettings
{
    public NfsSlowSettings() => For = TimeSpan.FromMinutes(1);

    /// <summary>An RPC NULL round trip to the server above this is slow (the probe's own slowness is judged by the agent).</summary>
    public TimeSpan RttThreshold { get; set; } = TimeSpan.FromMilliseconds(200);
}

/// <summary>Rules:NfsRetransmitting.</summary>
public sealed class NfsRetransmittingSettings : RuleSettings
{
    public NfsRetransmittingSettings() => For = TimeSpan.FromMinutes(1);

    /// <summary>Retransmissions within one report interval from which a mount counts as retransmitting.</summary>
    public ulong MinRetransmissions { get; set; } = 10;
}

/// <summary>Rules:NasUnreachable.</summary>
public sealed class NasUnreachableSettings : RuleSettings
{
    // One timed-out ping from one of two nodes (a JIT-cold first ping, a busy NAS) must not open a critical incident.
    // Pending is enough for the nodes' NFS incidents to be linked to it, so remediation's Settle still sees the cause.
    public NasUnreachableSettings() => For = TimeSpan.FromSeconds(10);

    /// <summary>Share of the nodes using a server whose RPC ping fails, or whose mounts of it hang, for the server to be the cause.</summary>
    public double MinShare { get; set; } = 0.5;

    /// <summary>Fewest nodes with hung mounts that blame the server without a failed ping (one hang alone may be the client).</summary>
    public int MinHungNodes { get; set; } = 2;
}
