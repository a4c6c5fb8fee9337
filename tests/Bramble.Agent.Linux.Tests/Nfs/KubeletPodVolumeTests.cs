using Bramble.Agent.Linux.Nfs;

namespace Bramble.Agent.Linux.Tests.Nfs;

public sealed class KubeletPodVolumeTests
{
    private const string Uid = "5f0c2a4e-1b7d-4c39-9a43-0d5b8e6f7a21";

    public static TheoryData<string, string, string, bool> PodVolumes => new()
    {
        { $"/var/lib/kubelet/pods/{Uid}/volumes/kubernetes.io~nfs/media-pv", Uid, "media-pv", false },
        { $"/var/lib/kubelet/pods/{Uid}/volumes/kubernetes.io~csi/pvc-3c1d/mount", Uid, "pvc-3c1d", false },
        { $"/var/lib/kubelet/pods/{Uid}/volume-subpaths/media-pv/app/0", Uid, "media-pv", true },
        { $"/var/lib/kubelet/pods/{Uid}/volume-subpaths/media-pv/init-copy/3", Uid, "media-pv", true },
    };

    [Theory]
    [MemberData(nameof(PodVolumes))]
    public void FromMountPoint_KubeletPaths_NamePodAndVolume(string path, string uid, string volume, bool subpath)
    {
        Assert.Equal(new KubeletPodVolume(uid, volume, subpath), KubeletPodVolume.FromMountPoint(path, "/var/lib/kubelet"));
    }

    [Theory]
    [InlineData("/mnt/nas")]
    [InlineData("/var/lib/kubelet/pods")]
    [InlineData($"/var/lib/kubelet/pods/{Uid}/volumes/kubernetes.io~nfs")]
    [InlineData($"/var/lib/kubelet/pods/{Uid}/volumes/kubernetes.io~nfs/media-pv/sub")]
    [InlineData($"/var/lib/kubelet/pods/{Uid}/volumes/kubernetes.io~csi/pvc-3c1d")]
    [InlineData($"/var/lib/kubelet/pods/{Uid}/volumes/kubernetes.io~empty-dir/cache")]
    [InlineData($"/var/lib/kubelet/pods/{Uid}/volume-subpaths/media-pv")]
    [InlineData($"/var/lib/kubelet/plugins/kubernetes.io/nfs/{Uid}")]
    [InlineData($"/srv/kubelet/pods/{Uid}/volumes/kubernetes.io~nfs/media-pv")]
    public void FromMountPoint_OtherPaths_AreNoPodVolume(string path)
    {
        Assert.Null(KubeletPodVolume.FromMountPoint(path, "/var/lib/kubelet"));
    }

    [Fact]
    public void FromMountPoint_ConfiguredRoot_IsWherePodsAre()
    {
        Assert.Equal(new KubeletPodVolume(Uid, "v", false), KubeletPodVolume.FromMountPoint($"/srv/kubelet/pods/{Uid}/volumes/kubernetes.io~nfs/v", "/srv/kubelet/"));
    }
}
