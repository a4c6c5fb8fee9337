using Bramble.Engine.Correlation;
using Bramble.Engine.Rules;
using Bramble.Engine.Rules.Agents;
using Bramble.Engine.Rules.Nfs;
using Bramble.Engine.Rules.Node;
using Bramble.Engine.Rules.Vip;

namespace Bramble.Aggregator.Incidents;

/// <summary>The rule engine's settings (section "Rules"), one subsection per kind.</summary>
public sealed class RulesOptions
{
    public const string Section = "Rules";

    /// <summary>How often every rule is evaluated over the cluster.</summary>
    public TimeSpan EvaluationInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// After a start, nothing resolves for this long: the rules must first see the cluster again. Keep it above the
    /// longest silence threshold (AgentSilent:MissedReports × the slowest report interval), or a node still silent
    /// across the restart could resolve and reopen.
    /// </summary>
    public TimeSpan WarmUp { get; set; } = TimeSpan.FromSeconds(60);

    public AgentSilentSettings AgentSilent { get; set; } = new();

    public AgentRestartedSettings AgentRestarted { get; set; } = new();

    public NetworkPartitionSettings NetworkPartition { get; set; } = new();

    public RuleSettings NfsMountHung { get; set; } = new();

    public RuleSettings NfsStaleHandle { get; set; } = new();

    public NfsSlowSettings NfsSlow { get; set; } = new();

    public RuleSettings NfsOptionDrift { get; set; } = new() { ResolveAfter = TimeSpan.Zero };

    public NfsRetransmittingSettings NfsRetransmitting { get; set; } = new();

    public NasUnreachableSettings NasUnreachable { get; set; } = new();

    public RuleSettings VipSplitBrain { get; set; } = new() { ResolveAfter = TimeSpan.FromSeconds(10) };

    public RuleSettings VipDark { get; set; } = new() { ResolveAfter = TimeSpan.FromSeconds(10) };

    public RuleSettings VipStaleNeighbour { get; set; } = new() { For = TimeSpan.FromSeconds(30) };

    public RuleSettings VipAnnouncerMisconfigured { get; set; } = new() { ResolveAfter = TimeSpan.Zero };

    public VipOwnerMismatchSettings VipOwnerMismatch { get; set; } = new();

    public VipFlappingSettings VipFlapping { get; set; } = new();

    public VipServiceDownSettings VipServiceDown { get; set; } = new();

    public VipStaleUpstreamCacheSettings VipStaleUpstreamCache { get; set; } = new();

    public KubeletDownSettings KubeletDown { get; set; } = new();

    public KubeletCrashLoopSettings KubeletCrashLoop { get; set; } = new();

    public KubeletDownSettings ContainerRuntimeDown { get; set; } = new();

    public CertificateExpiringSettings CertificateExpiring { get; set; } = new();

    public RuleSettings NodeThrottled { get; set; } = new() { For = TimeSpan.FromMinutes(1) };

    public RuleSettings UnderVoltage { get; set; } = new();

    public NodeOverheatingSettings NodeOverheating { get; set; } = new();

    /// <summary>Resolves at once when the root is writable again.</summary>
    public RuleSettings RootFsReadOnly { get; set; } = new() { ResolveAfter = TimeSpan.Zero };

    public ClockSkewSettings ClockSkew { get; set; } = new();

    public MemoryPressureSettings MemoryPressure { get; set; } = new();

    public DiskLowSettings DiskLow { get; set; } = new();

    public StorageSlowSettings StorageSlow { get; set; } = new();

    /// <summary>A short For rides out a lease renewal that briefly drops and re-adds the address.</summary>
    public RuleSettings NodeAddressChanged { get; set; } = new() { For = TimeSpan.FromMinutes(1) };
}
