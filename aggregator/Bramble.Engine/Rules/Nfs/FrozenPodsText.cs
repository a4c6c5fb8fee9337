using System.Globalization;
using Bramble.Engine.Cluster;

namespace Bramble.Engine.Rules.Nfs;

/// <summary>"pods media/a and media/b of PV pvc-3c1d are frozen": who a hung mount stops, for an incident's summary.</summary>
public static class FrozenPodsText
{
    /// <summary>The sentence, or empty when no pod is frozen on the mount.</summary>
    public static string Describe(NfsMountView mount)
    {
        ArgumentNullException.ThrowIfNull(mount);
        var pods = mount.FrozenPods.Select(p => p.Display).Order(StringComparer.Ordinal).ToArray();
        if (pods.Length == 0)
        {
            return string.Empty;
        }

        var names = pods.Length == 1 ? pods[0] : $"{string.Join(", ", pods[..^1])} and {pods[^1]}";
        var volume = mount.PodVolume.Length > 0 ? $" of PV {mount.PodVolume}" : string.Empty;
        return string.Create(CultureInfo.InvariantCulture, $"{(pods.Length == 1 ? "pod" : "pods")} {names}{volume} {(pods.Length == 1 ? "is" : "are")} frozen");
    }

    /// <summary>"media/a,media/b" for the evidence.</summary>
    public static string List(NfsMountView mount)
    {
        ArgumentNullException.ThrowIfNull(mount);
        return string.Join(',', mount.FrozenPods.Select(p => p.Display).Order(StringComparer.Ordinal));
    }
}
