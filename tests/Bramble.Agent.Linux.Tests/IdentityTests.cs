using Bramble.Agent.Linux.FileSystem;
using Bramble.Agent.Linux.Identity;

namespace Bramble.Agent.Linux.Tests;

public sealed class BootIdTests
{
    private static readonly HostPaths Paths = new("/host/proc", "/host/sys");

    [Fact]
    public void Read_FromProcRoot_ReturnsTrimmedId()
    {
        var fs = new InMemoryFileSystem().Add("/host/proc/sys/kernel/random/boot_id", ProcText.BootId);

        Assert.Equal("6a1f0c4e-8d2b-4e57-9a3c-2f1b7d9e0a55", BootId.Read(fs, Paths));
    }

    [Fact]
    public void Read_MissingFile_ReturnsNull()
    {
        Assert.Null(BootId.Read(new InMemoryFileSystem(), Paths));
    }

    [Fact]
    public void Parse_UpperCase_IsLowerCased()
    {
        Assert.Equal("6a1f0c4e-8d2b-4e57-9a3c-2f1b7d9e0a55", BootId.Parse("6A1F0C4E-8D2B-4E57-9A3C-2F1B7D9E0A55\n"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("\n")]
    [InlineData("not-a-uuid")]
    [InlineData("6a1f0c4e8d2b4e579a3c2f1b7d9e0a55")]
    [InlineData("{6a1f0c4e-8d2b-4e57-9a3c-2f1b7d9e0a55}")]
    [InlineData("6a1f0c4e-8d2b-4e57-9a3c-2f1b7d9e0a5")]
    public void Parse_Malformed_ReturnsNull(string? text)
    {
        Assert.Null(BootId.Parse(text));
    }
}

public sealed class NetworkInterfacesTests
{
    private static readonly HostPaths Paths = new("/proc", "/sys");

    [Fact]
    public void Read_SkipsLoopbackAndSortsByName()
    {
        var fs = new InMemoryFileSystem()
            .Add("/sys/class/net/wlan0/address", "DC:A6:32:00:00:02\n").Add("/sys/class/net/wlan0/operstate", "down\n")
            .Add("/sys/class/net/lo/address", "00:00:00:00:00:00\n").Add("/sys/class/net/lo/operstate", "unknown\n")
            .Add("/sys/class/net/eth0/address", "dc:a6:32:00:00:01\n").Add("/sys/class/net/eth0/operstate", "up\n");

        var nics = NetworkInterfaces.Read(fs, Paths);

        Assert.Equal(
            [new NetworkInterfaceInfo("eth0", "dc:a6:32:00:00:01", true), new NetworkInterfaceInfo("wlan0", "dc:a6:32:00:00:02", false)],
            nics);
    }

    [Fact]
    public void Read_InterfaceWithoutHardwareAddress_IsLeftOut()
    {
        // A WireGuard or tun interface has an empty address file.
        var fs = new InMemoryFileSystem()
            .Add("/sys/class/net/wg0/address", "\n").Add("/sys/class/net/wg0/operstate", "unknown\n")
            .Add("/sys/class/net/eth0/address", "dc:a6:32:00:00:01\n");

        var nic = Assert.Single(NetworkInterfaces.Read(fs, Paths));

        Assert.Equal("eth0", nic.Name);
        Assert.False(nic.Up);
    }

    [Fact]
    public void Read_NoClassNet_ReturnsEmpty()
    {
        Assert.Empty(NetworkInterfaces.Read(new InMemoryFileSystem(), Paths));
    }

    [Theory]
    [InlineData("dc:a6:32:01:02:03", "dc:a6:32:01:02:03")]
    [InlineData("DC:A6:32:0A:0B:0C\n", "dc:a6:32:0a:0b:0c")]
    [InlineData("  b8:27:eb:12:34:56  ", "b8:27:eb:12:34:56")]
    public void NormaliseMac_Valid_ReturnsLowerCaseColonHex(string text, string expected)
    {
        Assert.Equal(expected, NetworkInterfaces.NormaliseMac(text));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("dc-a6-32-01-02-03")]
    [InlineData("dc:a6:32:01:02")]
    [InlineData("dc:a6:32:01:02:03:04")]
    [InlineData("dc:a6:32:01:02:0g")]
    [InlineData("dca6:3201:0203:")]
    [InlineData("00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00")]
    public void NormaliseMac_Malformed_ReturnsNull(string? text)
    {
        Assert.Null(NetworkInterfaces.NormaliseMac(text));
    }
}

public sealed class InterfaceLinkTests
{
    private static readonly HostPaths Paths = new("/host/proc", "/host/sys");

    [Fact]
    public void ReadLink_ReadsIndexAndMac()
    {
        var fs = new InMemoryFileSystem()
            .Add("/host/sys/class/net/eth0/address", "02:00:00:00:00:0A\n")
            .Add("/host/sys/class/net/eth0/ifindex", "7\n");

        Assert.Equal(new InterfaceLink("eth0", 7, "02:00:00:00:00:0a"), NetworkInterfaces.ReadLink(fs, Paths, "eth0"));
    }

    [Theory]
    [InlineData("eth1")]
    [InlineData("../eth0")]
    [InlineData("")]
    public void ReadLink_MissingOrUnsafeName_ReturnsNull(string name)
    {
        var fs = new InMemoryFileSystem()
            .Add("/host/sys/class/net/eth0/address", "02:00:00:00:00:0a\n")
            .Add("/host/sys/class/net/eth0/ifindex", "7\n");

        Assert.Null(NetworkInterfaces.ReadLink(fs, Paths, name));
    }

    [Fact]
    public void ReadLink_BadIndex_ReturnsNull()
    {
        var fs = new InMemoryFileSystem()
            .Add("/host/sys/class/net/eth0/address", "02:00:00:00:00:0a\n")
            .Add("/host/sys/class/net/eth0/ifindex", "-1\n");

        Assert.Null(NetworkInterfaces.ReadLink(fs, Paths, "eth0"));
    }
}
