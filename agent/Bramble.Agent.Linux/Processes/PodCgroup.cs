using System.Text.RegularExpressions;

namespace Bramble.Agent.Linux.Processes;

/// <summary>
/// The Kubernetes pod a process belongs to, from /proc/&lt;pid&gt;/cgroup: the kubelet puts each pod in a cgroup
/// named after its uid — "kubepods-burstable-pod5f0c2a4e_1b7d_….slice" with the systemd driver (dashes of the uid
/// turned into underscores), ".../kubepods/besteffort/pod5f0c2a4e-1b7d-…/" with cgroupfs (k3s) — on cgroup v2 ("0::")
/// and on every v1 hierarchy line alike.
/// </summary>
public static partial class PodCgroup
{
    /// <summary>The pod's uid (with dashes), or null when the process is in no pod.</summary>
    public static string? PodUid(string? cgroupText)
    {
        if (cgroupText is null)
        {
            return null;
        }

        var match = PodSegment().Match(cgroupText);
        return match.Success ? match.Groups["uid"].Value.Replace('_', '-') : null;
    }

    [GeneratedRegex(@"(?:^|[/-])pod(?<uid>[0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})(?:\.slice)?(?:/|$)",
        RegexOptions.CultureInvariant | RegexOptions.Multiline)]
    private static partial Regex PodSegment();
}
