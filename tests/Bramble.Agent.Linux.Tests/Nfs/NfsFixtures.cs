namespace Bramble.Agent.Linux.Tests.Nfs;

/// <summary>The NFS fixture files copied beside the test assembly (see Fixtures/Nfs/README.md).</summary>
internal static class NfsFixtures
{
    public const string AppDataMount = "/tmp/bramble-lab/nfslab/mnt";
    public const string MediaMount = "/var/lib/kubelet/pods/5f0c2a4e-1b7d-4c39-9a43-0d5b8e6f7a21/volumes/kubernetes.io~nfs/media-pv";

    public static string Read(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Nfs", name));
}
