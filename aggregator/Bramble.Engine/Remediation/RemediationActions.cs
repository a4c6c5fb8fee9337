namespace Bramble.Engine.Remediation;

/// <summary>The stable, low-cardinality names of actions in metrics labels, audit rows and the API.</summary>
public static class RemediationActions
{
    public static string Name(RemediationAction action) => action switch
    {
        RemediationAction.RestartUnit => "restart_unit",
        RemediationAction.RemountNfs => "remount_nfs",
        RemediationAction.SendGratuitousArp => "send_gratuitous_arp",
        RemediationAction.RunHook => "run_hook",
        RemediationAction.Reboot => "reboot",
        _ => "unknown",
    };
}
