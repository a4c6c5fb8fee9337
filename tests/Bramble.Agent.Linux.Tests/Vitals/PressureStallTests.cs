using Bramble.Agent.Linux.Vitals;

namespace Bramble.Agent.Linux.Tests.Vitals;

public sealed class PressureStallTests
{
    // /proc/pressure/io on a Pi 4 whose SD card is struggling (kernel 6.6).
    private const string Io = """
        some avg10=12.40 avg60=8.95 avg300=3.11 total=893264455
        full avg10=11.62 avg60=8.23 avg300=2.85 total=821375322

        """;

    // /proc/pressure/cpu on kernel 5.10 (Raspberry Pi OS bullseye): no "full" line before 5.13.
    private const string CpuBefore513 = "some avg10=1.53 avg60=0.87 avg300=0.56 total=2735498137\n";

    [Fact]
    public void Parse_IoWithSomeAndFull_ReadsBothLines()
    {
        var stall = PressureStall.Parse(Io);

        Assert.Equal(new PressureLine(12.40, 8.95, 3.11, 893264455), stall!.Some);
        Assert.Equal(new PressureLine(11.62, 8.23, 2.85, 821375322), stall.Full);
    }

    [Fact]
    public void Parse_CpuOnOldKernel_HasNoFullLine()
    {
        var stall = PressureStall.Parse(CpuBefore513);

        Assert.Equal(new PressureLine(1.53, 0.87, 0.56, 2735498137), stall!.Some);
        Assert.Null(stall.Full);
    }

    [Fact]
    public void Parse_UnknownExtraKey_IsIgnored()
    {
        var stall = PressureStall.Parse("some avg10=0.00 avg60=0.00 avg300=0.00 total=0 avg900=0.00\n");

        Assert.Equal(new PressureLine(0, 0, 0, 0), stall!.Some);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n")]
    [InlineData("some avg10=0.00 avg60=0.00 total=0\n")]
    [InlineData("some avg10=x avg60=0.00 avg300=0.00 total=0\n")]
    [InlineData("some avg10=0.00 avg60=0.00 avg300=0.00 total=-1\n")]
    [InlineData("some avg10=101.00 avg60=0.00 avg300=0.00 total=1\n")]
    [InlineData("some avg10 0.00 avg60=0.00 avg300=0.00 total=1\n")]
    public void Parse_Malformed_ReturnsNull(string? text)
    {
        Assert.Null(PressureStall.Parse(text));
    }

    [Fact]
    public void Parse_MalformedFullLine_KeepsSome()
    {
        var stall = PressureStall.Parse("some avg10=1.00 avg60=2.00 avg300=3.00 total=4\nfull avg10=oops\n");

        Assert.Equal(new PressureLine(1, 2, 3, 4), stall!.Some);
        Assert.Null(stall.Full);
    }
}
