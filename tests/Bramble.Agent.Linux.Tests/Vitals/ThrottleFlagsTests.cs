using Bramble.Agent.Linux.FileSystem;
using Bramble.Agent.Linux.Vitals;

namespace Bramble.Agent.Linux.Tests.Vitals;

public sealed class ThrottleFlagsTests
{
    public static TheoryData<string, uint> Valid => new()
    {
        // What the sysfs file holds: hex digits without a prefix, and a newline.
        { "0\n", 0u },
        { "50005\n", 0x50005u },
        { "80008\n", 0x80008u },
        // vcgencmd get_throttled, pasted from a Pi on a weak supply.
        { "throttled=0x50005\n", 0x50005u },
        { "0xE0000", 0xE0000u },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void Parse_KernelAndVcgencmdFormats_ReadsTheBits(string text, uint expected)
    {
        Assert.Equal(new ThrottleFlags(expected), ThrottleFlags.Parse(text));
    }

    [Fact]
    public void Parse_UnderVoltedAndThrottledPi_DecodesNowAndSinceBoot()
    {
        var flags = ThrottleFlags.Parse("50005\n")!.Value;

        Assert.True(flags.UnderVoltage);
        Assert.False(flags.ArmFrequencyCapped);
        Assert.True(flags.Throttled);
        Assert.False(flags.SoftTemperatureLimit);
        Assert.True(flags.UnderVoltageSinceBoot);
        Assert.True(flags.ThrottledSinceBoot);
    }

    [Fact]
    public void Parse_OnlyHistoricalBits_IsNotThrottledNow()
    {
        var flags = ThrottleFlags.Parse("50000")!.Value;

        Assert.False(flags.UnderVoltage);
        Assert.False(flags.Throttled);
        Assert.True(flags.UnderVoltageSinceBoot);
        Assert.True(flags.ThrottledSinceBoot);
    }

    [Fact]
    public void Parse_SoftTemperatureLimitAndFrequencyCap_Decoded()
    {
        var flags = ThrottleFlags.Parse("a")!.Value;

        Assert.True(flags.ArmFrequencyCapped);
        Assert.True(flags.SoftTemperatureLimit);
        Assert.False(flags.UnderVoltage);
        Assert.False(flags.Throttled);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("\n")]
    [InlineData("0x")]
    [InlineData("throttled=")]
    [InlineData("zz")]
    [InlineData("-1")]
    [InlineData("123456789")]
    [InlineData("5 0005")]
    public void Parse_Malformed_ReturnsNull(string? text)
    {
        Assert.Null(ThrottleFlags.Parse(text));
    }

    private static readonly HostPaths Paths = new("/host/proc", "/host/sys");

    [Fact]
    public void Read_UsualPath_ReadsIt()
    {
        var fs = new InMemoryFileSystem().Add("/host/sys/devices/platform/soc/soc:firmware/get_throttled", "50005\n");

        Assert.Equal(new ThrottleFlags(0x50005), ThrottleFlags.Read(fs, Paths));
    }

    [Fact]
    public void Read_SocNodeNamedWithItsAddress_FindsIt()
    {
        var fs = new InMemoryFileSystem()
            .Add("/host/sys/devices/platform/soc@107c000000/soc@107c000000:firmware/get_throttled", "80000\n")
            .Add("/host/sys/devices/platform/soc@107c000000/107d004000.spi/modalias", "of:spi\n");

        Assert.Equal(new ThrottleFlags(0x80000), ThrottleFlags.Read(fs, Paths));
    }

    [Fact]
    public void Read_NotAPi_ReturnsNull()
    {
        var fs = new InMemoryFileSystem().Add("/host/sys/devices/platform/serial8250/driver_override", "(null)\n");

        Assert.Null(ThrottleFlags.Read(fs, Paths));
    }
}
