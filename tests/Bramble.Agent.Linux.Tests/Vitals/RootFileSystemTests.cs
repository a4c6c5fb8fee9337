using Bramble.Agent.Linux.Vitals;

namespace Bramble.Agent.Linux.Tests.Vitals;

public sealed class RootFileSystemTests
{
    // /proc/self/mountinfo of a Raspberry Pi OS node (bookworm), trimmed.
    private const string PiHeader = """
        21 26 0:20 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
        22 26 0:4 / /proc rw,relatime shared:12 - proc proc rw

        """;

    private const string PiBoot = "29 26 179:1 / /boot/firmware rw,relatime shared:16 - vfat /dev/mmcblk0p1 rw,fmask=0022,dmask=0022,codepage=437,iocharset=ascii,shortname=mixed,errors=remount-ro\n";

    public static TheoryData<string, bool> Cases => new()
    {
        // Healthy SD card.
        { PiHeader + "26 1 179:2 / / rw,noatime shared:1 - ext4 /dev/mmcblk0p2 rw\n" + PiBoot, false },
        // ext4 hit an error and remounted itself read-only: only the superblock options say so.
        { PiHeader + "26 1 179:2 / / rw,noatime shared:1 - ext4 /dev/mmcblk0p2 ro\n" + PiBoot, true },
        // mount -o remount,ro / by hand: both say so.
        { PiHeader + "26 1 179:2 / / ro,noatime shared:1 - ext4 /dev/mmcblk0p2 ro\n" + PiBoot, true },
        // The agent's own unit with ProtectSystem=strict: "/" bound read-only in its namespace, the card is fine.
        { PiHeader + "26 1 179:2 / / ro,noatime shared:1 - ext4 /dev/mmcblk0p2 rw\n" + PiBoot, false },
        // A read-only /boot/firmware must not be mistaken for the root.
        { "26 1 179:2 / / rw,noatime shared:1 - ext4 /dev/mmcblk0p2 rw\n29 26 179:1 / /boot/firmware ro,relatime shared:16 - vfat /dev/mmcblk0p1 ro\n", false },
        // Stacked on "/": the last entry is the one in use (an overlay over a read-only card is writable).
        { "26 1 179:2 / / ro,noatime shared:1 - ext4 /dev/mmcblk0p2 ro\n31 26 0:30 / / rw,relatime shared:2 - overlay overlay rw,lowerdir=/ro,upperdir=/rw/upper,workdir=/rw/work\n", false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void IsReadOnly_MountInfo_ReadsTheRootEntry(string mountInfo, bool expected)
    {
        Assert.Equal(expected, RootFileSystem.IsReadOnly(mountInfo));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("22 26 0:4 / /proc rw,relatime shared:12 - proc proc rw\n")]
    [InlineData("garbage\n")]
    public void IsReadOnly_NoRootEntry_ReturnsNull(string? mountInfo)
    {
        Assert.Null(RootFileSystem.IsReadOnly(mountInfo));
    }

    [Fact]
    public void BlockDevice_SdCardRoot_IsItsPartitionNumber()
    {
        Assert.Equal((179, 2), RootFileSystem.BlockDevice(PiHeader + "26 1 179:2 / / rw,noatime shared:1 - ext4 /dev/mmcblk0p2 rw\n" + PiBoot));
    }

    [Theory]
    [InlineData("31 1 0:30 / / rw,relatime shared:2 - overlay overlay rw,lowerdir=/ro,upperdir=/rw/upper,workdir=/rw/work\n")]
    [InlineData("22 26 0:4 / /proc rw,relatime shared:12 - proc proc rw\n")]
    [InlineData(null)]
    public void BlockDevice_NoBlockDeviceUnderRoot_ReturnsNull(string? mountInfo)
    {
        Assert.Null(RootFileSystem.BlockDevice(mountInfo));
    }
}
