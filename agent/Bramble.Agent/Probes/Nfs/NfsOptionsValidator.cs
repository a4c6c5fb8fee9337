using Bramble.Agent.Linux.Nfs;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Probes.Nfs;

/// <summary>Checks the NFS options at start; each failure names its configuration key.</summary>
public sealed class NfsOptionsValidator : IValidateOptions<NfsOptions>
{
    private static readonly TimeSpan MinDeadline = TimeSpan.FromMilliseconds(100);

    // Below a second a healthy child on a loaded Pi would not start; above two minutes a probe round never ends.
    private static readonly TimeSpan MinChildStartLimit = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxChildStartLimit = TimeSpan.FromMinutes(2);

    public ValidateOptionsResult Validate(string? name, NfsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        const string prefix = NfsOptions.Section + ":";

        if (options.ProbeDeadline < MinDeadline)
        {
            failures.Add($"{prefix}{nameof(options.ProbeDeadline)}: must be at least {MinDeadline.TotalMilliseconds:F0} ms (got {options.ProbeDeadline})");
        }

        if (options.ChildStartLimit < MinChildStartLimit || options.ChildStartLimit > MaxChildStartLimit)
        {
            failures.Add($"{prefix}{nameof(options.ChildStartLimit)}: must be between {MinChildStartLimit.TotalSeconds:F0} s and {MaxChildStartLimit.TotalSeconds:F0} s (got {options.ChildStartLimit})");
        }

        if (options.SlowThreshold <= TimeSpan.Zero || options.SlowThreshold >= options.ProbeDeadline)
        {
            failures.Add($"{prefix}{nameof(options.SlowThreshold)}: must be positive and shorter than {prefix}{nameof(options.ProbeDeadline)} (got {options.SlowThreshold}, deadline {options.ProbeDeadline})");
        }

        // A single name: the probe must never write outside this one directory of the mount.
        if (string.IsNullOrWhiteSpace(options.ProbeDirectory)
            || options.ProbeDirectory is "." or ".."
            || options.ProbeDirectory.Contains('/', StringComparison.Ordinal)
            || options.ProbeDirectory.Contains('\0', StringComparison.Ordinal))
        {
            failures.Add($"{prefix}{nameof(options.ProbeDirectory)}: '{options.ProbeDirectory}' must be one directory name such as .bramble-probe, without '/'");
        }

        if (options.RpcPingTimeout < MinDeadline || options.RpcPingTimeout > options.ProbeDeadline)
        {
            failures.Add($"{prefix}{nameof(options.RpcPingTimeout)}: must be between {MinDeadline.TotalMilliseconds:F0} ms and {prefix}{nameof(options.ProbeDeadline)} (got {options.RpcPingTimeout})");
        }

        if (MountOptionProfile.Parse(options.ExpectedOptions) is null)
        {
            failures.Add($"{prefix}{nameof(options.ExpectedOptions)}: '{options.ExpectedOptions}' is not a mount option list such as {MountOptionProfile.DefaultProfile}");
        }

        if (string.IsNullOrWhiteSpace(options.KubeletRoot) || !Path.IsPathFullyQualified(options.KubeletRoot))
        {
            failures.Add($"{prefix}{nameof(options.KubeletRoot)}: '{options.KubeletRoot}' must be an absolute path such as /var/lib/kubelet");
        }

        if (string.IsNullOrWhiteSpace(options.PodLogDirectory) || !Path.IsPathFullyQualified(options.PodLogDirectory))
        {
            failures.Add($"{prefix}{nameof(options.PodLogDirectory)}: '{options.PodLogDirectory}' must be an absolute path such as /var/log/pods");
        }

        for (var i = 0; i < (options.StuckWaitChannels?.Length ?? 0); i++)
        {
            var channel = options.StuckWaitChannels![i];
            if (string.IsNullOrWhiteSpace(channel) || channel == "*" || channel.Any(char.IsWhiteSpace) || channel.IndexOf('*', StringComparison.Ordinal) is >= 0 and var star && star != channel.Length - 1)
            {
                failures.Add($"{prefix}{nameof(options.StuckWaitChannels)}:{i}: '{channel}' must be a kernel function name, or a prefix ending in '*' such as nfs_*");
            }
        }

        for (var i = 0; i < options.Mounts.Count; i++)
        {
            var mount = options.Mounts[i];
            if (string.IsNullOrWhiteSpace(mount) || !Path.IsPathFullyQualified(mount))
            {
                failures.Add($"{prefix}{nameof(options.Mounts)}:{i}: '{mount}' must be an absolute path");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
