using Bramble.Agent.Linux.Vitals;

namespace Bramble.Agent.Linux.Tests;

public sealed class LoadAverageTests
{
    [Fact]
    public void Parse_RealProcLoadavg_ReadsThreeAverages()
    {
        var load = LoadAverage.Parse(ProcText.LoadAvg);

        Assert.Equal(new LoadAverage(2.48, 1.06, 0.44), load);
    }

    [Fact]
    public void Parse_OnlyThreeFields_IsEnough()
    {
        Assert.Equal(new LoadAverage(0.5, 0.25, 0), LoadAverage.Parse("0.50 0.25 0.00"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("garbage")]
    [InlineData("0.52 0.58")]
    [InlineData("0.52 x 0.59 1/345 6789")]
    [InlineData("0,52 0,58 0,59 1/345 6789")]
    [InlineData("-0.52 0.58 0.59 1/345 6789")]
    [InlineData("0.52 0.58 -1 1/345 6789")]
    [InlineData("NaN 0.58 0.59 1/345 6789")]
    [InlineData("0.52 Infinity 0.59 1/345 6789")]
    public void Parse_Malformed_ReturnsNull(string? text)
    {
        Assert.Null(LoadAverage.Parse(text));
    }
}

public sealed class MemoryInfoTests
{
    [Fact]
    public void Parse_RealProcMeminfo_ReadsTotalAndAvailableInBytes()
    {
        var memory = MemoryInfo.Parse(ProcText.MemInfo);

        Assert.Equal(new MemoryInfo(24684084UL * 1024, 24302412UL * 1024), memory);
    }

    [Fact]
    public void Parse_FieldsInAnyOrder_ReadsBoth()
    {
        var memory = MemoryInfo.Parse("MemAvailable:   100 kB\nMemFree: 5 kB\nMemTotal:   200 kB\n");

        Assert.Equal(new MemoryInfo(200 * 1024, 100 * 1024), memory);
    }

    [Fact]
    public void Parse_MemFreeOnly_IsNotMistakenForAvailable()
    {
        Assert.Null(MemoryInfo.Parse("MemTotal: 200 kB\nMemFree: 100 kB\n"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("garbage\nmore garbage")]
    [InlineData("MemTotal:       24684084 kB\n")]
    [InlineData("MemAvailable:   24302412 kB\n")]
    [InlineData("MemTotal: lots kB\nMemAvailable: 1 kB\n")]
    [InlineData("MemTotal: -5 kB\nMemAvailable: 1 kB\n")]
    [InlineData("MemTotal: 10 kB\nMemAvailable: -1 kB\n")]
    [InlineData("MemTotal: 1.5 kB\nMemAvailable: 1 kB\n")]
    public void Parse_Malformed_ReturnsNull(string? text)
    {
        Assert.Null(MemoryInfo.Parse(text));
    }
}

public sealed class UptimeTests
{
    [Fact]
    public void Parse_RealProcUptime_ReadsSecondsSinceBoot()
    {
        Assert.Equal(4307.25, Uptime.Parse(ProcText.Uptime));
    }

    [Fact]
    public void Parse_ZeroSeconds_IsValid()
    {
        Assert.Equal(0.0, Uptime.Parse("0.00 0.00"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("garbage")]
    [InlineData("-12.5 3.0")]
    [InlineData("NaN 1")]
    [InlineData("Infinity 1")]
    public void Parse_Malformed_ReturnsNull(string? text)
    {
        Assert.Null(Uptime.Parse(text));
    }
}

public sealed class ThermalZonesParseTests
{
    [Theory]
    [InlineData("48312\n", 48.312)]
    [InlineData("0", 0.0)]
    [InlineData("-5000\n", -5.0)]
    public void ParseMillidegrees_Valid_ReturnsCelsius(string text, double expected)
    {
        Assert.Equal(expected, ThermalZones.ParseMillidegrees(text));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("hot")]
    [InlineData("48.3")]
    public void ParseMillidegrees_Malformed_ReturnsNull(string? text)
    {
        Assert.Null(ThermalZones.ParseMillidegrees(text));
    }
}
