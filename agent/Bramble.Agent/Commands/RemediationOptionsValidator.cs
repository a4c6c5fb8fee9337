using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Commands;

/// <summary>Checks the Remediation section at start; each failure names its key, e.g. "Remediation:Mounts:0:Path".</summary>
public sealed class RemediationOptionsValidator : IValidateOptions<RemediationOptions>
{
    public const int MaxQueueCapacity = 1000;
    public const int MaxRememberedCommands = 100_000;
    public const int MaxGratuitousArpCount = 10;
    private static readonly TimeSpan MinDeadline = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxMaxDeadline = TimeSpan.FromHours(1);
    private static readonly TimeSpan MinArpInterval = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan MaxArpInterval = TimeSpan.FromSeconds(5);

    public ValidateOptionsResult Validate(string? name, RemediationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        const string prefix = RemediationOptions.Section + ":";

        var units = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < options.Units.Count; i++)
        {
            var unit = options.Units[i] ?? string.Empty;
            if (!UnitNames.IsValid(unit))
            {
                failures.Add($"{prefix}{nameof(options.Units)}:{i}: '{unit}' is not a systemd unit name such as kubelet or k3s-agent.service");
            }
            else if (!units.TryAdd(UnitNames.Normalise(unit), i))
            {
                failures.Add($"{prefix}{nameof(options.Units)}:{i}: '{unit}' is already listed as {prefix}{nameof(options.Units)}:{units[UnitNames.Normalise(unit)]}");
            }
        }

        var mounts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < options.Mounts.Count; i++)
        {
            var mount = options.Mounts[i];
            var key = $"{prefix}{nameof(options.Mounts)}:{i}:";
            if (!IsMountPoint(mount.Path))
            {
                failures.Add($"{key}{nameof(mount.Path)}: '{mount.Path}' is not an absolute mount point such as /mnt/nas (no trailing '/', not '/')");
            }
            else if (!mounts.TryAdd(mount.Path, i))
            {
                failures.Add($"{key}{nameof(mount.Path)}: '{mount.Path}' is already listed as {prefix}{nameof(options.Mounts)}:{mounts[mount.Path]}");
            }

            // Empty: the mount's own source from mountinfo (a mount that is not mounted then cannot be remounted).
            if (mount.Source.Length > 0 && (mount.Source[0] == '-' || !mount.Source.Contains(":/", StringComparison.Ordinal) || mount.Source.Any(char.IsWhiteSpace)))
            {
                failures.Add($"{key}{nameof(mount.Source)}: '{mount.Source}' is not an NFS source such as nas.lan:/export/k8s (or empty: the mounted one)");
            }

            if (mount.Options.Length == 0 || mount.Options[0] == '-' || mount.Options.Any(char.IsWhiteSpace))
            {
                failures.Add($"{key}{nameof(mount.Options)}: '{mount.Options}' is not a mount option list such as rw,hard,vers=3,tcp (no spaces, not empty)");
            }
        }

        foreach (var (hook, path) in options.Hooks)
        {
            var key = $"{prefix}{nameof(options.Hooks)}:{hook}";
            if (hook.Length is 0 or > 64 || !hook.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                failures.Add($"{key}: '{hook}' is not a hook name (1-64 of [A-Za-z0-9._-])");
            }

            if (string.IsNullOrEmpty(path) || !Path.IsPathFullyQualified(path) || path.EndsWith('/'))
            {
                failures.Add($"{key}: '{path}' is not the absolute path of an executable");
            }
        }

        var vips = new HashSet<(string, string)>();
        for (var i = 0; i < options.GratuitousArp.Count; i++)
        {
            var vip = options.GratuitousArp[i];
            var key = $"{prefix}{nameof(options.GratuitousArp)}:{i}:";
            if (!IPAddress.TryParse(vip.Address, out var address) || address.AddressFamily != AddressFamily.InterNetwork
                || !string.Equals(address.ToString(), vip.Address, StringComparison.Ordinal)
                || address.Equals(IPAddress.Any) || address.Equals(IPAddress.Broadcast) || IPAddress.IsLoopback(address))
            {
                failures.Add($"{key}{nameof(vip.Address)}: '{vip.Address}' is not a unicast IPv4 VIP such as 192.0.2.100");
            }

            if (!IsInterfaceName(vip.Interface))
            {
                failures.Add($"{key}{nameof(vip.Interface)}: '{vip.Interface}' is not an interface name (1-15 characters, no '/', ':' or spaces)");
            }
            else if (!vips.Add((vip.Address, vip.Interface)))
            {
                failures.Add($"{key}: {vip.Address} on {vip.Interface} is listed twice");
            }
        }

        if (options.GratuitousArpCount is < 1 or > MaxGratuitousArpCount)
        {
            failures.Add($"{prefix}{nameof(options.GratuitousArpCount)}: must be between 1 and {MaxGratuitousArpCount} (got {options.GratuitousArpCount})");
        }

        if (options.GratuitousArpInterval < MinArpInterval || options.GratuitousArpInterval > MaxArpInterval)
        {
            failures.Add($"{prefix}{nameof(options.GratuitousArpInterval)}: must be between {MinArpInterval.TotalMilliseconds:F0} ms and {MaxArpInterval.TotalSeconds:F0} s (got {options.GratuitousArpInterval})");
        }

        if (options.MaxDeadline < MinDeadline || options.MaxDeadline > MaxMaxDeadline)
        {
            failures.Add($"{prefix}{nameof(options.MaxDeadline)}: must be between {MinDeadline.TotalMilliseconds:F0} ms and {MaxMaxDeadline.TotalMinutes:F0} min (got {options.MaxDeadline})");
        }

        if (options.DefaultDeadline < MinDeadline || options.DefaultDeadline > options.MaxDeadline)
        {
            failures.Add($"{prefix}{nameof(options.DefaultDeadline)}: must be between {MinDeadline.TotalMilliseconds:F0} ms and {prefix}{nameof(options.MaxDeadline)} ({options.MaxDeadline}) (got {options.DefaultDeadline})");
        }

        if (options.QueueCapacity is < 1 or > MaxQueueCapacity)
        {
            failures.Add($"{prefix}{nameof(options.QueueCapacity)}: must be between 1 and {MaxQueueCapacity} (got {options.QueueCapacity})");
        }

        if (options.RememberedCommands is < 1 or > MaxRememberedCommands)
        {
            failures.Add($"{prefix}{nameof(options.RememberedCommands)}: must be between 1 and {MaxRememberedCommands} (got {options.RememberedCommands})");
        }

        if (options.StateDirectory.Length > 0 && (!Path.IsPathFullyQualified(options.StateDirectory) || options.StateDirectory.Contains('\0', StringComparison.Ordinal)))
        {
            failures.Add($"{prefix}{nameof(options.StateDirectory)}: '{options.StateDirectory}' is not an absolute directory (or empty: $STATE_DIRECTORY, else {RemediationOptions.DefaultStateDirectory})");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsMountPoint(string path) =>
        path.Length > 1 && path[0] == '/' && !path.EndsWith('/') && !path.Contains('\0', StringComparison.Ordinal)
        && !path.Split('/').Skip(1).Any(part => part is "" or "." or "..");

    // As the kernel's dev_valid_name: at most IFNAMSIZ-1 bytes, not "." or "..", no '/', ':' or white space.
    private static bool IsInterfaceName(string name) =>
        name.Length is > 0 and <= 15 && name is not ("." or "..") && name.All(c => c > ' ' && c < 0x7f && c is not ('/' or ':'));
}
