using Bramble.Agent.Probes.Storage;
using Bramble.Agent.Probes.Vitals;

namespace Bramble.Agent.Tests.Storage;

public sealed class StateDirectoryLocatorTests
{
    [Theory]
    [InlineData("/", "", new[] { "/var/lib/etcd", "/var/lib/kubelet" }, "/var/lib/etcd", false)]
    [InlineData("/host/", "", new[] { "/host/var/lib/kubelet" }, "/host/var/lib/kubelet", false)]
    [InlineData("/host", "/srv/k3s", new string[0], "/host/srv/k3s", true)]
    [InlineData("/", "/srv/k3s", new string[0], "/srv/k3s", true)]
    public void Find_ConfiguredElseFirstExistingDefault(string root, string configured, string[] existing, string expected, bool isConfigured)
    {
        var found = StateDirectoryLocator.Find(root, configured, VitalsOptions.DefaultStateDirectories, existing.Contains);

        Assert.Equal((expected, isConfigured), found);
    }

    [Fact]
    public void Find_NothingThere_IsNull()
    {
        Assert.Null(StateDirectoryLocator.Find("/", string.Empty, VitalsOptions.DefaultStateDirectories, _ => false));
    }
}
