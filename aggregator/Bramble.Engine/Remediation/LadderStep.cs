namespace Bramble.Engine.Remediation;

/// <summary>One rung of a kind's action ladder (Remediation:Ladders:&lt;Kind&gt;:N).</summary>
public sealed class LadderStep
{
    public RemediationAction Action { get; set; }

    /// <summary>The unit a RestartUnit step restarts, e.g. "kubelet".</summary>
    public string? Unit { get; set; }

    /// <summary>The agent-side hook a RunHook step runs.</summary>
    public string? Hook { get; set; }

    /// <summary>The interface a SendGratuitousArp step sends on; empty lets the agent choose.</summary>
    public string? Interface { get; set; }

    /// <summary>
    /// The node that acts, fixed; empty means <see cref="Target"/> decides (by default the incident's own node). For a
    /// VIP the acting node changes with who holds it, so VIP steps name a Target rather than a Node.
    /// </summary>
    public string? Node { get; set; }

    /// <summary>Which node acts when <see cref="Node"/> is empty: the incident's (default), or a VIP's intruder or owner.</summary>
    public LadderStepTarget Target { get; set; }
}
