namespace Bramble.Engine.Remediation;

/// <summary>Why a plan was refused: the guards, in the order they are applied (also the metric's reason label).</summary>
public static class SuppressionReasons
{
    public const string ModeOff = "mode_off";
    public const string SharedCause = "shared_cause";
    public const string TooManyUnhealthy = "too_many_unhealthy";
    public const string NoTargetNode = "no_target_node";
    public const string NotAllowed = "not_allowed";
    public const string RebootDisabled = "reboot_disabled";
    public const string AgentNotConnected = "agent_not_connected";
    public const string AgentCannotExecute = "agent_cannot_execute";
    public const string ActionInFlight = "action_in_flight";
    public const string NfsHung = "nfs_hung";
    public const string Cooldown = "cooldown";
    public const string StormLimit = "storm_limit";
}
