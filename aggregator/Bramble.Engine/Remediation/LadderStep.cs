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
    /// The node that acts; empty means the incident's own node. Needed for incidents about a VIP (which node should
    /// stop announcing it, which node is the rightful owner): the cluster owner knows, Bramble cannot guess.
    /// </summary>
    public string? Node { get; set; }

    /// <summary>Which node acts when <see cref="Node"/> is empty: the incident's (default), or a VIP's intruder or owner.</summary>
    public LadderStepTarget Target { get; set; }
}
