using Bramble.Engine.Incidents;

namespace Bramble.Engine.Remediation;

/// <summary>
/// The ladder the planner walks for one incident. Bramble's own kinds take theirs from configuration (or the defaults);
/// a remediation request from Alertmanager's webhook carries its one step in its evidence (label bramble_action and
/// friends), so it passes the same guards as a rule's incident without a ladder of its own in configuration.
/// </summary>
public static class IncidentLadder
{
    /// <summary>The incident kind of a request that arrived through POST /api/v1/alertmanager.</summary>
    public const string AlertmanagerRequestKind = "AlertmanagerRequest";

    /// <summary>Evidence keys of such a request that decide its step.</summary>
    public const string ActionKey = "action";
    public const string UnitKey = "unit";
    public const string HookKey = "hook";

    public static IReadOnlyList<LadderStep> For(IncidentRecord incident, RemediationSettings settings)
    {
        ArgumentNullException.ThrowIfNull(incident);
        ArgumentNullException.ThrowIfNull(settings);
        if (incident.Kind != AlertmanagerRequestKind)
        {
            return settings.LadderFor(incident.Kind);
        }

        var step = RequestStep(
            incident.Evidence.GetValueOrDefault(ActionKey), incident.Evidence.GetValueOrDefault(UnitKey), incident.Evidence.GetValueOrDefault(HookKey), settings);
        return step is null ? [] : [step];
    }

    /// <summary>
    /// The step a bramble_action asks for, or null when the action is unknown or lacks the label it needs (restart-unit:
    /// unit; hook: hook). Mount and VIP come from the incident's subject, as for Bramble's own incidents.
    /// </summary>
    public static LadderStep? RequestStep(string? action, string? unit, string? hook, RemediationSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return action switch
        {
            "restart-kubelet" => new LadderStep { Action = RemediationAction.RestartUnit, Unit = settings.KubeletUnit },
            "restart-unit" when !string.IsNullOrEmpty(unit) => new LadderStep { Action = RemediationAction.RestartUnit, Unit = unit },
            "remount-nfs" => new LadderStep { Action = RemediationAction.RemountNfs },
            "gratuitous-arp" => new LadderStep { Action = RemediationAction.SendGratuitousArp },
            "reboot" => new LadderStep { Action = RemediationAction.Reboot },
            "hook" when !string.IsNullOrEmpty(hook) => new LadderStep { Action = RemediationAction.RunHook, Hook = hook },
            _ => null,
        };
    }
}
