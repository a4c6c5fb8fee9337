using Bramble.Agent.Linux.Addresses;

namespace Bramble.Agent.Linux.Tests.Addresses;

/// <summary>/etc/rancher/k3s/config.yaml in the shapes k3s's documentation shows for node-ip.</summary>
public sealed class K3sNodeIpTests
{
    [Theory]
    [InlineData("node-ip: 192.0.2.41\n", new[] { "192.0.2.41" })]
    [InlineData("write-kubeconfig-mode: \"0644\"\nnode-ip: \"192.0.2.41,2001:db8::29\"  # dual stack\ntls-san:\n  - nas.lan\n", new[] { "192.0.2.41", "2001:db8::29" })]
    [InlineData("node-ip:\n  - 192.0.2.41\n  - 2001:DB8:0::29\nnode-label:\n  - zone=attic\n", new[] { "192.0.2.41", "2001:db8::29" })]
    [InlineData("node-ip: [192.0.2.41, '198.51.100.7']\n", new[] { "192.0.2.41", "198.51.100.7" })]
    [InlineData("# node-ip: 192.0.2.99\nnode-name: pi-1\n", new string[0])]
    [InlineData("node-external-ip: 198.51.100.7\nkubelet-arg:\n  - \"node-ip=192.0.2.99\"\n", new string[0])]
    [InlineData("node-ip: pi-1.lan\n", new string[0])]
    [InlineData("", new string[0])]
    public void Parse_ReadsOnlyTheTopLevelNodeIp(string yaml, string[] expected)
    {
        Assert.Equal(expected, K3sNodeIp.Parse(yaml));
    }
}
