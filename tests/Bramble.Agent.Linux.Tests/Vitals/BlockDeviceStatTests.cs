using Bramble.Agent.Linux.Vitals;

namespace Bramble.Agent.Linux.Tests.Vitals;

public sealed class BlockDeviceStatTests
{
    [Theory]
    // /sys/block/mmcblk0/mmcblk0p2/stat on a Pi 4 (kernel 6.6: seventeen fields).
    [InlineData("   40632     9218  2981158    71264    58291    64833  4421976   524632        0   139568   602164        0        0        0        0     3376    6267\n", 4421976UL * 512)]
    // An older kernel's eleven fields.
    [InlineData("    4113     1190   256862     2524     1290     1046    23376     6416        0     3820     8940\n", 23376UL * 512)]
    [InlineData("0 0 0 0 0 0 0 0 0 0 0\n", 0UL)]
    public void ParseWrittenBytes_KernelFormats_ReadsSectorsWrittenTimes512(string text, ulong expected)
    {
        Assert.Equal(expected, BlockDeviceStat.ParseWrittenBytes(text));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("1 2 3 4 5 6 7 8 9 10\n")]
    [InlineData("1 2 3 4 5 6 x 8 9 10 11\n")]
    [InlineData("1 2 3 4 5 6 -7 8 9 10 11\n")]
    public void ParseWrittenBytes_Malformed_ReturnsNull(string? text)
    {
        Assert.Null(BlockDeviceStat.ParseWrittenBytes(text));
    }

    [Fact]
    public void SysfsPath_DeviceNumber_PointsUnderDevBlock()
    {
        Assert.Equal("dev/block/179:2/stat", BlockDeviceStat.SysfsPath(179, 2));
    }
}
