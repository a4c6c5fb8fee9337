using System.Net;
using Bramble.Engine.Remediation;
using Microsoft.Extensions.Options;

namespace Bramble.Aggregator.Remediation;

/// <summary>Checks the remediation settings at start; each failure names its key, e.g. "Remediation:Cooldown".</summary>
public sealed class RemediationOptionsValidator : IValidateOptions<RemediationOptions>
{
    /// <summary>A token shorter than this is guessable.</summary>
    public const int MinTokenLength = 16;

    private readonly string? _credentialsDirectory;

    public RemediationOptionsValidator()
        : this(Environment.GetEnvironmentVariable("CREDENTIALS_DIRECTORY"))
    {
    }

    public RemediationOptionsValidator(string? credentialsDirectory)
    {
        _credentialsDirectory = credentialsDirectory;
    }

    public ValidateOptionsResult Validate(string? name, RemediationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        const string prefix = RemediationOptions.Section + ":";
        if (!Enum.IsDefined(options.Mode))
        {
            failures.Add($"{prefix}Mode: must be Off, DryRun, Approve or Auto (got {options.Mode})");
        }

        ValidateApprovalToken(failures, options, prefix);

        if (options.MaxUnhealthyShare is < 0 or > 1 || double.IsNaN(options.MaxUnhealthyShare))
        {
            failures.Add($"{prefix}MaxUnhealthyShare: must be between 0 and 1 (got {options.MaxUnhealthyShare})");
        }

        NotNegative(failures, $"{prefix}Settle", options.Settle);
        NotNegative(failures, $"{prefix}Cooldown", options.Cooldown);
        Positive(failures, $"{prefix}VerificationWindow", options.VerificationWindow);
        NotNegative(failures, $"{prefix}ReappearanceWindow", options.ReappearanceWindow);
        Positive(failures, $"{prefix}CommandDeadline", options.CommandDeadline);
        Positive(failures, $"{prefix}ApprovalTimeout", options.ApprovalTimeout);
        NotNegative(failures, $"{prefix}ResultGrace", options.ResultGrace);
        Positive(failures, $"{prefix}RebootVerificationWindow", options.RebootVerificationWindow);
        if (options.StormLimitPerHour is < 1 or > 1000)
        {
            failures.Add($"{prefix}StormLimitPerHour: must be between 1 and 1000 (got {options.StormLimitPerHour})");
        }

        if (string.IsNullOrWhiteSpace(options.KubeletUnit))
        {
            failures.Add($"{prefix}KubeletUnit: must name a unit");
        }

        for (var i = 0; i < options.NfsMounts.Count; i++)
        {
            if (!options.NfsMounts[i].StartsWith('/'))
            {
                failures.Add($"{prefix}NfsMounts:{i}: must be an absolute path (got '{options.NfsMounts[i]}')");
            }
        }

        if (string.IsNullOrWhiteSpace(options.VipAnnouncerUnit))
        {
            failures.Add($"{prefix}VipAnnouncerUnit: must name a unit");
        }

        foreach (var (address, vip) in options.Vips)
        {
            if (!IPAddress.TryParse(address, out _))
            {
                failures.Add($"{prefix}Vips:{address}: must be an IP address");
            }

            if (string.IsNullOrWhiteSpace(vip?.PreferredOwner))
            {
                failures.Add($"{prefix}Vips:{address}:PreferredOwner: must name a node");
            }
        }

        foreach (var (kind, ladder) in options.Ladders)
        {
            for (var i = 0; i < ladder.Count; i++)
            {
                Step(failures, $"{prefix}Ladders:{kind}:{i}", ladder[i]);
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Step(List<string> failures, string key, LadderStep step)
    {
        if (!Enum.IsDefined(step.Action))
        {
            failures.Add($"{key}:Action: must be RestartUnit, RemountNfs, SendGratuitousArp, RunHook or Reboot (got {step.Action})");
        }

        if (step.Action == RemediationAction.RestartUnit && string.IsNullOrWhiteSpace(step.Unit))
        {
            failures.Add($"{key}:Unit: a RestartUnit step must name the unit");
        }

        if (!Enum.IsDefined(step.Target))
        {
            failures.Add($"{key}:Target: must be IncidentNode, VipIntruder or VipOwner (got {step.Target})");
        }
        else if (step.Target != LadderStepTarget.IncidentNode && !string.IsNullOrWhiteSpace(step.Node))
        {
            failures.Add($"{key}:Node: a step names either a Node or a Target, not both");
        }

        if (step.Action == RemediationAction.RunHook && string.IsNullOrWhiteSpace(step.Hook))
        {
            failures.Add($"{key}:Hook: a RunHook step must name the hook");
        }
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

    private void ValidateApprovalToken(List<string> failures, RemediationOptions options, string prefix)
    {
        var key = options.ApprovalTokenFile.Length > 0 ? "ApprovalTokenFile" : "ApprovalToken";
        var path = Alerts.WebhookSecret.PathOf(options.ApprovalTokenFile, _credentialsDirectory);
        var token = ApprovalToken.Of(options, _credentialsDirectory);
        if (options.ApprovalToken.Length > 0 && options.ApprovalTokenFile.Length > 0)
        {
            failures.Add($"{prefix}ApprovalToken: set either ApprovalToken or ApprovalTokenFile, not both");
        }
        else if (options.ApprovalTokenFile.Length > 0 && !File.Exists(path))
        {
            failures.Add($"{prefix}ApprovalTokenFile: no such file '{path}'");
        }
        else if (options.Mode == RemediationMode.Approve && token.Length < MinTokenLength)
        {
            failures.Add($"{prefix}{key}: required in approve mode, at least {MinTokenLength} characters");
        }
        else if (token.Length is > 0 and < MinTokenLength)
        {
            failures.Add($"{prefix}{key}: must be at least {MinTokenLength} characters");
        }
    }
}
