using Bramble.Agent.Linux.Nfs;

namespace Bramble.Agent.Linux.Tests.Nfs;

public sealed class MountInfoParserTests
{
    [Fact]
    public void ParseNfsMounts_FixtureMountinfo_FindsOnlyTheTwoNfsMounts()
    {
        var mounts = MountInfoParser.ParseNfsMounts(NfsFixtures.Read("mountinfo.v3"));

        Assert.Equal([NfsFixtures.AppDataMount, NfsFixtures.MediaMount], mounts.Select(m => m.MountPoint));
        var appData = mounts[0];
        Assert.Equal(312, appData.MountId);
        Assert.Equal((0, 53), (appData.Major, appData.Minor));
        Assert.Equal("nfs", appData.FsType);
        Assert.Equal("192.0.2.10:/volume1/k8s/app-data", appData.Source);
        Assert.Equal("192.0.2.10", appData.Server);
        Assert.Equal("rw,relatime", appData.MountOptions);
        Assert.StartsWith("rw,vers=3,rsize=32768,wsize=32768,namlen=255,acregmin=0", appData.SuperOptions, StringComparison.Ordinal);
        Assert.EndsWith("addr=192.0.2.10", appData.SuperOptions, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(@"/mnt/my\040nas", "/mnt/my nas")]
    [InlineData(@"/mnt/tab\011and\012newline", "/mnt/tab\tand\nnewline")]
    [InlineData(@"/mnt/back\134slash", @"/mnt/back\slash")]
    [InlineData(@"/mnt/caf\303\251", "/mnt/café")]
    [InlineData(@"/mnt/not\09escape", @"/mnt/not\09escape")]
    [InlineData(@"/mnt/end\04", @"/mnt/end\04")]
    public void ParseNfsMounts_EscapedMountPoint_IsUnescaped(string escaped, string expected)
    {
        var line = $"40 22 0:60 / {escaped} rw,relatime shared:9 master:2 - nfs4 [fd00::10]:/export rw,vers=4.2,hard,proto=tcp6";

        var mount = Assert.Single(MountInfoParser.ParseNfsMounts(line + "\n"));

        Assert.Equal(expected, mount.MountPoint);
        Assert.Equal("nfs4", mount.FsType);
        Assert.Equal("fd00::10", mount.Server);
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("312 22 0:53 / /mnt rw,relatime shared:160 nfs 192.0.2.10:/x rw")]
    [InlineData("x 22 0:53 / /mnt rw,relatime - nfs 192.0.2.10:/x rw")]
    [InlineData("312 22 053 / /mnt rw,relatime - nfs 192.0.2.10:/x rw")]
    [InlineData("312 22 0:53 / /mnt rw,relatime - nfs")]
    public void ParseNfsMounts_MalformedLine_IsSkippedWithoutHidingOthers(string bad)
    {
        var text = bad + "\n313 22 0:54 / /mnt/good rw - nfs 192.0.2.10:/good rw,vers=3\n";

        var mount = Assert.Single(MountInfoParser.ParseNfsMounts(text));

        Assert.Equal("/mnt/good", mount.MountPoint);
        Assert.Equal("192.0.2.10", mount.Server);
    }

    [Fact]
    public void ParseNfsMounts_NoNfs_IsEmpty()
    {
        Assert.Empty(MountInfoParser.ParseNfsMounts("22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/mmcblk0p2 rw\n"));
        Assert.Empty(MountInfoParser.ParseNfsMounts(null));
    }
}
