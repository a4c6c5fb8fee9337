using Bramble.Engine.Correlation;
using Bramble.Engine.Rules.Nfs;
using Bramble.Engine.Rules.Node;
using Bramble.Engine.Rules.Vip;

namespace Bramble.Engine.Remediation;

/// <summary>The planner's and guards' settings (section "Remediation"); defaults are the safe ones.</summary>
public class RemediationSettings
{
    public RemediationMode Mode { get; set; } = RemediationMode.DryRun;

    /// <summary>
    /// How long an incident must have been firing before it is considered. Nodes report at different moments, so a
    /// shared cause (NasUnreachable, NetworkPartition) is recognised only once enough of them have reported; acting on
    /// the first node's hang before that would "fix" a node during a NAS outage.
    /// </summary>
    public TimeSpan Settle { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>No action while more than this share of the nodes have a firing (warning or critical) incident.</summary>
    public double MaxUnhealthyShare { get; set; } = 0.4;

    /// <summary>Least time between two actions of the same kind on the same node.</summary>
    public TimeSpan Cooldown { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Most actions sent cluster-wide within any hour.</summary>
    public int StormLimitPerHour { get; set; } = 6;

    /// <summary>How long after a successful command the incident has to resolve for the step to count as a success.</summary>
    public TimeSpan VerificationWindow { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>An incident that comes back within this long after a verified success counts that step as failed.</summary>
    public TimeSpan ReappearanceWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>A plan nobody approved or rejected within this long is cancelled and counts as rejected (the ladder moves on).</summary>
    public TimeSpan ApprovalTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The deadline sent with every command; the agent kills the action after it.</summary>
    public TimeSpan CommandDeadline { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long past the deadline a result may take (transport, reconnects) before the command counts as lost.</summary>
    public TimeSpan ResultGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Reboots are refused unless this is true.</summary>
    public bool RebootEnabled { get; set; }

    /// <summary>How long a rebooted node has to come back with a new boot id and the incident to resolve.</summary>
    public TimeSpan RebootVerificationWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The unit that is never restarted while the node has a hung NFS mount (it would wedge again).</summary>
    public string KubeletUnit { get; set; } = "kubelet";

    /// <summary>The only mounts a RemountNfs step may touch.</summary>
    public List<string> NfsMounts { get; set; } = [];

    /// <summary>Per VIP address, its preferred owner: who keeps the VIP in a split brain and sends the gratuitous ARP.</summary>
    public Dictionary<string, RemediationVipSettings> Vips { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The unit that announces VIPs (keepalived, kube-vip): restarted on the intruder in a split brain.</summary>
    public string VipAnnouncerUnit { get; set; } = "keepalived";

    /// <summary>
    /// The agent hook (Remediation:Hooks on the agent) run after a verified NFS remount, for the pods that used the
    /// mount; empty: no pod restart.
    /// </summary>
    public string PodRestartHook { get; set; } = string.Empty;

    /// <summary>Per incident kind, the steps to try in order; a kind configured here replaces its default ladder.</summary>
    public Dictionary<string, List<LadderStep>> Ladders { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Kinds that are a shared cause: never acted on themselves, nor are the incidents they cause.</summary>
    public static IReadOnlySet<string> SharedCauseKinds { get; } =
        new HashSet<string>(StringComparer.Ordinal) { NasUnreachableRule.KindName, NetworkPartitionRule.KindName };

    /// <summary>Ladders that apply when Remediation:Ladders does not name the kind.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<LadderStep>> DefaultLadders { get; } =
        new Dictionary<string, IReadOnlyList<LadderStep>>(StringComparer.Ordinal)
        {
            [KubeletDownRule.KindName] =
            [
                new LadderStep { Action = RemediationAction.RestartUnit, Unit = "kubelet" },
                new LadderStep { Action = RemediationAction.RestartUnit, Unit = "kubelet" },
            ],
            [NfsMountHungRule.KindName] = [new LadderStep { Action = RemediationAction.RemountNfs }],
            [NfsStaleHandleRule.KindName] = [new LadderStep { Action = RemediationAction.RemountNfs }],
        };

    public IReadOnlyList<LadderStep> LadderFor(string kind) =>
        Ladders.TryGetValue(kind, out var configured) && configured.Count > 0 ? configured
        : DefaultLadders.TryGetValue(kind, out var ladder) ? ladder
        : VipDefaultLadder(kind);

    // The VIP ladders depend on VipAnnouncerUnit, so they are built from the settings rather than kept static.
    private List<LadderStep> VipDefaultLadder(string kind) => kind switch
    {
        VipSplitBrainRule.KindName =>
        [
            new LadderStep { Action = RemediationAction.RestartUnit, Unit = VipAnnouncerUnit, Target = LadderStepTarget.VipIntruder },
            new LadderStep { Action = RemediationAction.SendGratuitousArp, Target = LadderStepTarget.VipOwner },
        ],
        VipStaleNeighbourRule.KindName => [new LadderStep { Action = RemediationAction.SendGratuitousArp, Target = LadderStepTarget.VipOwner }],
        _ => [],
    };
}
