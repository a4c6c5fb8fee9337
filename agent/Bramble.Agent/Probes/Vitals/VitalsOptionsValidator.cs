using Microsoft.Extensions.Options;

namespace Bramble.Agent.Probes.Vitals;

/// <summary>Checks the vitals options at start; each failure names its configuration key.</summary>
public sealed class VitalsOptionsValidator : IValidateOptions<VitalsOptions>
{
    private static readonly TimeSpan MinDeadline = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxDeadline = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan MinChildStartLimit = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxChildStartLimit = TimeSpan.FromMinutes(2);

    public ValidateOptionsResult Validate(string? name, VitalsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        const string prefix = VitalsOptions.Section + ":";

        Absolute(failures, prefix + nameof(options.HostRoot), options.HostRoot, allowEmpty: false);
        Absolute(failures, prefix + nameof(options.StateDirectory), options.StateDirectory, allowEmpty: true);
        Absolute(failures, prefix + nameof(options.K3sConfigPath), options.K3sConfigPath, allowEmpty: true);

        if (options.StateProbeDeadline < MinDeadline || options.StateProbeDeadline > MaxDeadline)
        {
            failures.Add($"{prefix}{nameof(options.StateProbeDeadline)}: must be between {MinDeadline.TotalMilliseconds:F0} ms and {MaxDeadline.TotalSeconds:F0} s (got {options.StateProbeDeadline})");
        }

        if (options.StateProbeChildStartLimit < MinChildStartLimit || options.StateProbeChildStartLimit > MaxChildStartLimit)
        {
            failures.Add($"{prefix}{nameof(options.StateProbeChildStartLimit)}: must be between {MinChildStartLimit.TotalSeconds:F0} s and {MaxChildStartLimit.TotalSeconds:F0} s (got {options.StateProbeChildStartLimit})");
        }

        if (options.StateProbeInterval < TimeSpan.Zero)
        {
            failures.Add($"{prefix}{nameof(options.StateProbeInterval)}: must not be negative (got {options.StateProbeInterval})");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Absolute(List<string> failures, string key, string? path, bool allowEmpty)
    {
        if (string.IsNullOrEmpty(path) ? !allowEmpty : !Path.IsPathFullyQualified(path) || path.Contains('\0', StringComparison.Ordinal))
        {
            failures.Add($"{key}: '{path}' must be an absolute path{(allowEmpty ? ", or empty for the default" : string.Empty)}");
        }
    }
}
