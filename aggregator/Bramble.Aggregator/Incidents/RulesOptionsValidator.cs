using Bramble.Engine.Rules;
using Microsoft.Extensions.Options;

namespace Bramble.Aggregator.Incidents;

/// <summary>Checks the rule settings at start; each failure names its key, e.g. "Rules:AgentSilent:For".</summary>
public sealed class RulesOptionsValidator : IValidateOptions<RulesOptions>
{
    public ValidateOptionsResult Validate(string? name, RulesOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        const string prefix = RulesOptions.Section + ":";
        Positive(failures, $"{prefix}{nameof(options.EvaluationInterval)}", options.EvaluationInterval);
        NotNegative(failures, $"{prefix}{nameof(options.WarmUp)}", options.WarmUp);

        Common(failures, $"{prefix}{nameof(options.AgentSilent)}", options.AgentSilent);
        if (options.AgentSilent.MissedReports is < 1 or > 1000)
        {
            failures.Add($"{prefix}AgentSilent:MissedReports: must be between 1 and 1000 (got {options.AgentSilent.MissedReports})");
        }

        Common(failures, $"{prefix}{nameof(options.AgentRestarted)}", options.AgentRestarted);
        Positive(failures, $"{prefix}AgentRestarted:Window", options.AgentRestarted.Window);

        Common(failures, $"{prefix}{nameof(options.NetworkPartition)}", options.NetworkPartition);
        if (options.NetworkPartition.MinShare is <= 0 or > 1)
        {
            failures.Add($"{prefix}NetworkPartition:MinShare: must be above 0 and at most 1 (got {options.NetworkPartition.MinShare})");
        }

        if (options.NetworkPartition.MinNodes < 2)
        {
            failures.Add($"{prefix}NetworkPartition:MinNodes: must be at least 2 (got {options.NetworkPartition.MinNodes})");
        }

        Common(failures, $"{prefix}{nameof(options.NfsMountHung)}", options.NfsMountHung);
        Common(failures, $"{prefix}{nameof(options.NfsStaleHandle)}", options.NfsStaleHandle);
        Common(failures, $"{prefix}{nameof(options.NfsSlow)}", options.NfsSlow);
        Positive(failures, $"{prefix}NfsSlow:RttThreshold", options.NfsSlow.RttThreshold);
        Common(failures, $"{prefix}{nameof(options.NfsOptionDrift)}", options.NfsOptionDrift);
        Common(failures, $"{prefix}{nameof(options.NfsRetransmitting)}", options.NfsRetransmitting);
        if (options.NfsRetransmitting.MinRetransmissions < 1)
        {
            failures.Add($"{prefix}NfsRetransmitting:MinRetransmissions: must be at least 1 (got {options.NfsRetransmitting.MinRetransmissions})");
        }

        Common(failures, $"{prefix}{nameof(options.NasUnreachable)}", options.NasUnreachable);
        if (options.NasUnreachable.MinShare is <= 0 or > 1)
        {
            failures.Add($"{prefix}NasUnreachable:MinShare: must be above 0 and at most 1 (got {options.NasUnreachable.MinShare})");
        }

        if (options.NasUnreachable.MinHungNodes < 1)
        {
            failures.Add($"{prefix}NasUnreachable:MinHungNodes: must be at least 1 (got {options.NasUnreachable.MinHungNodes})");
        }

        Common(failures, $"{prefix}{nameof(options.VipSplitBrain)}", options.VipSplitBrain);
        Common(failures, $"{prefix}{nameof(options.VipDark)}", options.VipDark);
        Common(failures, $"{prefix}{nameof(options.VipStaleNeighbour)}", options.VipStaleNeighbour);
        Common(failures, $"{prefix}{nameof(options.VipAnnouncerMisconfigured)}", options.VipAnnouncerMisconfigured);
        Common(failures, $"{prefix}{nameof(options.VipOwnerMismatch)}", options.VipOwnerMismatch);
        if (options.VipOwnerMismatch.MissedReports is < 1 or > 1000)
        {
            failures.Add($"{prefix}VipOwnerMismatch:MissedReports: must be between 1 and 1000 (got {options.VipOwnerMismatch.MissedReports})");
        }

        Common(failures, $"{prefix}{nameof(options.VipFlapping)}", options.VipFlapping);
        if (options.VipFlapping.MaxChanges < 1)
        {
            failures.Add($"{prefix}VipFlapping:MaxChanges: must be at least 1 (got {options.VipFlapping.MaxChanges})");
        }

        Positive(failures, $"{prefix}VipFlapping:Window", options.VipFlapping.Window);
        Common(failures, $"{prefix}{nameof(options.VipServiceDown)}", options.VipServiceDown);
        Common(failures, $"{prefix}{nameof(options.VipStaleUpstreamCache)}", options.VipStaleUpstreamCache);
        Common(failures, $"{prefix}{nameof(options.KubeletDown)}", options.KubeletDown);
        Common(failures, $"{prefix}{nameof(options.KubeletCrashLoop)}", options.KubeletCrashLoop);
        if (options.KubeletCrashLoop.MinRestarts < 1)
        {
            failures.Add($"{prefix}KubeletCrashLoop:MinRestarts: must be at least 1 (got {options.KubeletCrashLoop.MinRestarts})");
        }

        Common(failures, $"{prefix}{nameof(options.ContainerRuntimeDown)}", options.ContainerRuntimeDown);
        Common(failures, $"{prefix}{nameof(options.CertificateExpiring)}", options.CertificateExpiring);
        Positive(failures, $"{prefix}CertificateExpiring:Threshold", options.CertificateExpiring.Threshold);
        Common(failures, $"{prefix}{nameof(options.NodeThrottled)}", options.NodeThrottled);
        Common(failures, $"{prefix}{nameof(options.UnderVoltage)}", options.UnderVoltage);
        Common(failures, $"{prefix}{nameof(options.NodeOverheating)}", options.NodeOverheating);
        if (options.NodeOverheating.Celsius is < 30 or > 120)
        {
            failures.Add($"{prefix}NodeOverheating:Celsius: must be between 30 and 120 (got {options.NodeOverheating.Celsius})");
        }

        Common(failures, $"{prefix}{nameof(options.RootFsReadOnly)}", options.RootFsReadOnly);
        Common(failures, $"{prefix}{nameof(options.ClockSkew)}", options.ClockSkew);
        Positive(failures, $"{prefix}ClockSkew:MaxError", options.ClockSkew.MaxError);
        Common(failures, $"{prefix}{nameof(options.MemoryPressure)}", options.MemoryPressure);
        if (options.MemoryPressure.SomeAvg60Percent is <= 0 or > 100)
        {
            failures.Add($"{prefix}MemoryPressure:SomeAvg60Percent: must be above 0 and at most 100 (got {options.MemoryPressure.SomeAvg60Percent})");
        }

        Common(failures, $"{prefix}{nameof(options.DiskLow)}", options.DiskLow);
        if (options.DiskLow.MinAvailablePercent is < 0 or >= 100)
        {
            failures.Add($"{prefix}DiskLow:MinAvailablePercent: must be at least 0 and below 100 (got {options.DiskLow.MinAvailablePercent})");
        }

        Common(failures, $"{prefix}{nameof(options.StorageSlow)}", options.StorageSlow);
        Positive(failures, $"{prefix}StorageSlow:FsyncThreshold", options.StorageSlow.FsyncThreshold);
        Common(failures, $"{prefix}{nameof(options.NodeAddressChanged)}", options.NodeAddressChanged);

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Common(List<string> failures, string section, RuleSettings settings)
    {
        NotNegative(failures, $"{section}:{nameof(settings.For)}", settings.For);
        NotNegative(failures, $"{section}:{nameof(settings.ResolveAfter)}", settings.ResolveAfter);
    }

    private static void Positive(List<string> failures, string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{key}: must be positive (got {value})");
        }
    }

    private static void NotNegative(List<string> failures, string key, TimeSpan value)
    {
        if (value < TimeSpan.Zero)
        {
            failures.Add($"{key}: must not be negative (got {value})");
        }
    }
}
