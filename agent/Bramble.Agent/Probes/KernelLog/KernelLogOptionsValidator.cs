using Bramble.Agent.Hosting;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Probes.KernelLog;

/// <summary>Checks the kernel-log options of the Agent section at start; each failure names its key.</summary>
public sealed class KernelLogOptionsValidator : IValidateOptions<AgentOptions>
{
    private static readonly TimeSpan MaxRetention = TimeSpan.FromDays(1);

    public ValidateOptionsResult Validate(string? name, AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        const string prefix = AgentOptions.Section + ":";
        if (string.IsNullOrWhiteSpace(options.KmsgPath) || !Path.IsPathFullyQualified(options.KmsgPath))
        {
            failures.Add($"{prefix}{nameof(options.KmsgPath)}: '{options.KmsgPath}' must be an absolute path such as /dev/kmsg");
        }

        if (options.KernelMessageRetention <= TimeSpan.Zero || options.KernelMessageRetention > MaxRetention)
        {
            failures.Add($"{prefix}{nameof(options.KernelMessageRetention)}: must be positive and at most {MaxRetention} (got {options.KernelMessageRetention})");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
