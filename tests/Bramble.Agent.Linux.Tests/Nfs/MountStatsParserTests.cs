using Bramble.Agent.Linux.Nfs;

namespace Bramble.Agent.Linux.Tests.Nfs;

public sealed class MountStatsParserTests
{
    [Fact]
    public void Parse_V3Fixture_ReadsBothNfsDevicesAndSkipsTheOthers()
    {
        var devices = MountStatsParser.Parse(NfsFixtures.Read("mountstats.v3"));

        Assert.Equal([NfsFixtures.AppDataMount, NfsFixtures.MediaMount], devices.Select(d => d.MountPoint));
        var appData = devices[0];
        Assert.Equal("192.0.2.10:/volume1/k8s/app-data", appData.Device);
        Assert.Equal("nfs", appData.FsType);
        Assert.Equal("1.1", appData.StatsVersion);
        Assert.Equal(86400UL, appData.AgeSeconds);
        Assert.StartsWith("rw,vers=3,rsize=32768", appData.Options, StringComparison.Ordinal);
        Assert.Equal(22, appData.Operations.Count);
    }

    // The figures node_exporter 1.5.0's mountstats collector gives for the same file (LAB.md section 2):
    // node_mountstats_nfs_operations_requests_total{operation="WRITE"} 12800, _transmissions_total 12814,
    // _major_timeouts_total 2.
    [Fact]
    public void Parse_V3Fixture_WriteLineMatchesNodeExporter()
    {
        var write = MountStatsParser.Parse(NfsFixtures.Read("mountstats.v3"))[0].Operation("WRITE");

        Assert.Equal(
            new NfsOperationStats("WRITE", 12800, 12814, 2, 53149696, 2150400, 41, 1240060, 1241900, 2),
            write);
        Assert.Equal(14UL, write!.Retransmissions);
    }

    [Fact]
    public void Parse_V3Fixture_ReadsTheThirteenNumberTcpTransport()
    {
        var transport = MountStatsParser.Parse(NfsFixtures.Read("mountstats.v3"))[0].Transport;

        Assert.Equal(
            new NfsTransportStats("tcp", 877, 0, 3, 12, 0, 90112, 90098, 0, 180224, 0, 16, 90112, 95000),
            transport);
    }

    [Fact]
    public void Parse_Nfs40Sample_ReadsEightFieldOpsWithoutErrorsAndTheWrappedCounter()
    {
        var device = Assert.Single(MountStatsParser.Parse(NfsFixtures.Read("mountstats.nfs40")));

        Assert.Equal(("192.168.1.1:/srv/test", "/mnt/nfs/test", "nfs4"), (device.Device, device.MountPoint, device.FsType));
        Assert.Equal(13968UL, device.AgeSeconds);
        Assert.Equal(["NULL", "READ", "WRITE", "ACCESS"], device.Operations.Select(o => o.Operation));
        Assert.All(device.Operations, o => Assert.Null(o.Errors));
        var access = device.Operation("ACCESS")!;
        Assert.Equal(2927395007UL, access.Operations);
        Assert.Equal(18446743919241604546UL, access.QueueMilliseconds);
        // Fewer transmissions than operations (a wrapped or odd counter) must not underflow.
        Assert.Equal(0UL, access.Retransmissions);
        Assert.Equal(6428UL, device.Transport!.Sends);
        Assert.Equal(5726UL, device.Transport.CumulativePendingQueue);
    }

    [Fact]
    public void Parse_Nfs41SampleWithMixedWhitespace_ReadsEveryOperation()
    {
        var device = Assert.Single(MountStatsParser.Parse(NfsFixtures.Read("mountstats.nfs41")));

        Assert.Equal("nfs4", device.FsType);
        Assert.Contains("kubernetes.io~nfs", device.MountPoint, StringComparison.Ordinal);
        Assert.Equal(63, device.Operations.Count);
        Assert.Equal(new NfsOperationStats("WRITE", 322308, 322308, 0, 39161277084, 56725504, 401718334, 10139998, 411864389, 0), device.Operation("WRITE"));
        Assert.Equal(10413UL, device.Operation("FREE_STATEID")!.Errors);
        Assert.Equal(938505UL, device.Transport!.Sends);
    }

    public static TheoryData<string, NfsTransportStats?> TransportLines => new()
    {
        { "tcp 877 0 3 12 0 90112 90098 0 180224 0", new("tcp", 877, 0, 3, 12, 0, 90112, 90098, 0, 180224, 0, null, null, null) },
        { "udp 832 0 6428 6428 0 12154 0", new("udp", 832, 0, 0, 0, 0, 6428, 6428, 0, 12154, 0, null, null, null) },
        { "udp 832 0 6428 6428 0 12154 0 24 26 5726", new("udp", 832, 0, 0, 0, 0, 6428, 6428, 0, 12154, 0, 24, 26, 5726) },
        { "tcp 877 0 3 12 0 90112 90098 0 180224", null },
        { "tcp 877 0 3 12 0 90112 90098 0 180224 0 16", null },
        { "udp 832 0 6428 6428 0 12154", null },
        { "rdma 0 0 0 0 0 0 0 0 0 0", null },
        { "tcp 877 0 3 12 0 90112 90098 0 -1 0", null },
    };

    [Theory]
    [MemberData(nameof(TransportLines))]
    public void Parse_TransportLine_AcceptsOnlyTheKernelsShapes(string numbers, NfsTransportStats? expected)
    {
        var text = $"device s:/e mounted on /m with fstype nfs statvers=1.0\n\txprt:\t{numbers}\n";

        Assert.Equal(expected, Assert.Single(MountStatsParser.Parse(text)).Transport);
    }

    [Theory]
    [InlineData("READ: 1 1 0 124 4220 0 2", 0)]
    [InlineData("READ: 1 1 0 124 4220 0 2 2 0 7", 0)]
    [InlineData("READ: 1 1 0 124 x 0 2 2", 0)]
    [InlineData("READ 1 1 0 124 4220 0 2 2", 0)]
    [InlineData("READ: 1 1 0 124 4220 0 2 2", 1)]
    [InlineData("  READ:\t1   1 0 124 4220 0 2 2 0", 1)]
    [InlineData("READ: 18446744073709551615 1 0 124 4220 0 2 2 0", 1)]
    [InlineData("READ: 18446744073709551616 1 0 124 4220 0 2 2 0", 0)]
    public void Parse_OperationLine_TakesEightOrNineUnsignedCounters(string line, int expectedCount)
    {
        var text = $"device s:/e mounted on /m with fstype nfs statvers=1.1\n\tper-op statistics\n{line}\n";

        Assert.Equal(expectedCount, Assert.Single(MountStatsParser.Parse(text)).Operations.Count);
    }

    [Fact]
    public void Parse_EscapedMountPointAndMissingStatvers_AreHandled()
    {
        var device = Assert.Single(MountStatsParser.Parse("device nas:/a\\040b mounted on /mnt/a\\040b with fstype nfs\n\tage:\t5\n"));

        Assert.Equal(("nas:/a b", "/mnt/a b", string.Empty, 5UL), (device.Device, device.MountPoint, device.StatsVersion, device.AgeSeconds));
        Assert.Null(device.Transport);
    }

    [Fact]
    public void Parse_NothingOrNoNfs_IsEmpty()
    {
        Assert.Empty(MountStatsParser.Parse(null));
        Assert.Empty(MountStatsParser.Parse("device proc mounted on /proc with fstype proc\n"));
    }
}
