namespace Bramble.Engine.Nodes;

/// <summary>What a Hello says about the agent that sent it, compared with what the ledger held.</summary>
public enum HelloKind
{
    /// <summary>The node was never seen before.</summary>
    FirstContact,

    /// <summary>The same agent process reconnected (same boot, same instance).</summary>
    Reconnect,

    /// <summary>The agent process restarted without a reboot: same boot id, new instance id.</summary>
    AgentRestart,

    /// <summary>The node rebooted: a new boot id starts a new sequence space.</summary>
    Reboot,
}
