using Bramble.Agent.Linux.KernelLog;

namespace Bramble.Agent.Linux.Tests.KernelLog;

public sealed class KmsgRecordParserTests
{
    private static string Fixture => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "KernelLog", "kmsg.pi"));

    [Fact]
    public void ParseLines_Fixture_ReadsEveryRecordAndSkipsContinuationLines()
    {
        var records = KmsgRecordParser.ParseLines(Fixture);

        Assert.Equal(16, records.Count);
        Assert.DoesNotContain(records, r => r.Text.Contains("SUBSYSTEM=", StringComparison.Ordinal));
        var first = records[0];
        Assert.Equal((0, 6, 954ul, 8_419_736_776ul, "br0: port 2(p9) entered disabled state"),
            (first.Facility, first.Level, first.Sequence, first.Microseconds, first.Text));
    }

    [Fact]
    public void TryParse_ExtraPrefixFields_AreIgnored()
    {
        Assert.True(KmsgRecordParser.TryParse("5,1211,8420600000,-,caller=T42;nfs: server 192.0.2.10 not responding, timed out", out var record));

        Assert.Equal(1211ul, record.Sequence);
        Assert.Equal("nfs: server 192.0.2.10 not responding, timed out", record.Text);
        Assert.True(record.FromKernel);
    }

    [Fact]
    public void TryParse_UserSpaceFacility_IsNotFromTheKernel()
    {
        Assert.True(KmsgRecordParser.TryParse("12,1203,8420200000,-;nfs: server evil.lan not responding, still trying", out var record));

        Assert.Equal((1, 4), (record.Facility, record.Level));
        Assert.False(record.FromKernel);
    }

    [Theory]
    [InlineData(@"6,1,2,-;a \x5c b", @"a \ b")]
    [InlineData(@"6,1,2,-;caf\xc3\xa9", "café")]
    [InlineData(@"6,1,2,-;tab\x09end", "tab\tend")]
    [InlineData(@"6,1,2,-;not an escape \x", @"not an escape \x")]
    public void TryParse_KernelEscapes_AreDecoded(string line, string expected)
    {
        Assert.True(KmsgRecordParser.TryParse(line, out var record));
        Assert.Equal(expected, record.Text);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" SUBSYSTEM=hwmon")]
    [InlineData("no separator at all")]
    [InlineData("6,1,2;too few fields")]
    [InlineData("x,1,2,-;bad priority")]
    [InlineData("6,-1,2,-;bad sequence")]
    public void TryParse_Malformed_IsRejected(string line)
    {
        Assert.False(KmsgRecordParser.TryParse(line, out _));
    }
}
