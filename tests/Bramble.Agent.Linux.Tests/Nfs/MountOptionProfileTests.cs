using Bramble.Agent.Linux.Nfs;

namespace Bramble.Agent.Linux.Tests.Nfs;

public sealed class MountOptionProfileTests
{
    [Fact]
    public void Default_IsRenderedTheWayTheKernelShowsIt()
    {
        Assert.Equal(
            ["rw", "hard", "rsize=32768", "wsize=32768", "proto=tcp", "noac", "acregmin=0", "acregmax=0", "acdirmin=0", "acdirmax=0", "vers=3", "timeo=600"],
            MountOptionProfile.Default.KernelRendering);
    }

    [Fact]
    public void Compare_FixtureMountWithTheExpectedOptions_HasNoDifference()
    {
        var mount = MountInfoParser.ParseNfsMounts(NfsFixtures.Read("mountinfo.v3"))[0];

        Assert.Empty(MountOptionProfile.Default.Compare(mount.SuperOptions));
    }

    [Fact]
    public void Compare_DriftedFixtureMount_ReportsEveryDifference()
    {
        var mount = MountInfoParser.ParseNfsMounts(NfsFixtures.Read("mountinfo.v3"))[1];

        var differences = MountOptionProfile.Default.Compare(mount.SuperOptions).Select(d => d.ToString());

        Assert.Equal(
            [
                "expected hard, found soft",
                "expected rsize=32768, found rsize=131072",
                "expected wsize=32768, found wsize=131072",
                "expected noac, found none",
                "expected acregmin=0, found acregmin=3",
                "expected acregmax=0, found acregmax=60",
                "expected acdirmin=0, found acdirmin=30",
                "expected acdirmax=0, found acdirmax=60",
                "expected timeo=600, found timeo=100",
            ],
            differences);
    }

    [Theory]
    [InlineData("vers=3,hard", "rw,vers=4.1,hard", "expected vers=3, found vers=4.1")]
    [InlineData("nfsvers=3", "rw,vers=4.1", "expected vers=3, found vers=4.1")]
    [InlineData("udp", "rw,proto=tcp", "expected proto=udp, found proto=tcp")]
    [InlineData("rw", "ro,vers=3", "expected rw, found ro")]
    [InlineData("hard,soft", "hard", "expected soft, found hard")]
    [InlineData("rsize=1048576", "rsize=32768", "expected rsize=1048576, found rsize=32768")]
    [InlineData("nolock", "rw,lock", "expected nolock, found lock")]
    public void Compare_SingleDrift_IsReportedInKernelTerms(string profile, string kernel, string expected)
    {
        var difference = Assert.Single(MountOptionProfile.Parse(profile)!.Compare(kernel));

        Assert.Equal(expected, difference.ToString());
    }

    [Theory]
    [InlineData("bg,nointr,intr,fg,_netdev,nofail,x-systemd.automount,retry=5,hard", "hard")]
    [InlineData("tcp", "proto=tcp")]
    public void Compare_OptionsTheKernelNeverShows_AreNotDrift(string profile, string kernel)
    {
        Assert.Empty(MountOptionProfile.Parse(profile)!.Compare(kernel));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("rw,,hard")]
    [InlineData("=3")]
    [InlineData("vers=")]
    [InlineData("bg,nointr")]
    public void Parse_UnusableProfile_IsNull(string? profile)
    {
        Assert.Null(MountOptionProfile.Parse(profile));
    }
}
