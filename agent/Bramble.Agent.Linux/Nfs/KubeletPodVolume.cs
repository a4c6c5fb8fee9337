namespace Bramble.Agent.Linux.Nfs;

/// <summary>
/// A mount the kubelet made for a pod, told from its path alone: an NFS volume
/// (&lt;root&gt;/pods/&lt;uid&gt;/volumes/kubernetes.io~nfs/&lt;volume&gt;, or a CSI one such as csi-driver-nfs's
/// …/volumes/kubernetes.io~csi/&lt;volume&gt;/mount) or a subPath bind mount of one
/// (&lt;root&gt;/pods/&lt;uid&gt;/volume-subpaths/&lt;volume&gt;/&lt;container&gt;/&lt;index&gt;).
/// </summary>
public sealed record KubeletPodVolume(string PodUid, string Volume, bool Subpath)
{
    /// <summary>The pod volume a mount point is, under the kubelet's root directory; null for any other path.</summary>
    public static KubeletPodVolume? FromMountPoint(string mountPoint, string kubeletRoot)
    {
        ArgumentNullException.ThrowIfNull(mountPoint);
        ArgumentNullException.ThrowIfNull(kubeletRoot);
        var prefix = kubeletRoot.TrimEnd('/') + "/pods/";
        if (!mountPoint.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var parts = mountPoint[prefix.Length..].Split('/');
        if (parts.Length < 3 || parts[0].Length == 0)
        {
            return null;
        }

        return (parts[1], parts.Length) switch
        {
            ("volumes", 4) when parts[2] == "kubernetes.io~nfs" && parts[3].Length > 0 => new KubeletPodVolume(parts[0], parts[3], false),
            ("volumes", 5) when parts[2] == "kubernetes.io~csi" && parts[3].Length > 0 && parts[4] == "mount" => new KubeletPodVolume(parts[0], parts[3], false),
            ("volume-subpaths", >= 5) when parts[2].Length > 0 => new KubeletPodVolume(parts[0], parts[2], true),
            _ => null,
        };
    }
}
