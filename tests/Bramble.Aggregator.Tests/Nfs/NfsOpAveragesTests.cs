using Bramble.Aggregator.Nodes;
using Bramble.Protos.V1;

namespace Bramble.Aggregator.Tests.Nfs;

public sealed class NfsOpAveragesTests
{
    private const string Mount = "/mnt/nas";

    // The per-op figures of the v3 fixture (WRITE 12800 ops, 1240060 ms RTT, 1241900 ms execute), then 100 more writes.
    private static Report Report(params (string Op, ulong Ops, ulong Rtt, ulong Execute)[] ops)
    {
        var mount = new NfsMount { MountPoint = Mount };
        foreach (var (op, count, rtt, execute) in ops)
        {
            mount.Ops.Add(new NfsOpStats { Op = op, Operations = count, RttMilliseconds = rtt, ExecuteMilliseconds = execute });
        }

        return new Report { NfsMounts = { mount } };
    }

    [Fact]
    public void Update_FirstReport_HasNoAverageYet()
    {
        var averages = new NfsOpAverages();

        averages.Update(Report(("WRITE", 12800, 1240060, 1241900)));

        Assert.Empty(averages.Latest);
    }

    [Fact]
    public void Update_SecondReport_AveragesTheIntervalsDeltas()
    {
        var averages = new NfsOpAverages();
        averages.Update(Report(("WRITE", 12800, 1240060, 1241900), ("GETATTR", 500, 100, 120)));

        averages.Update(Report(("WRITE", 12900, 1245060, 1247900), ("GETATTR", 500, 100, 120)));

        var write = averages.Latest[(Mount, "WRITE")];
        Assert.Equal((TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(60), 100UL), (write.Rtt, write.Execute, write.Operations));
        // No GETATTR ran in the interval: no average rather than a zero or a stale one.
        Assert.False(averages.Latest.ContainsKey((Mount, "GETATTR")));
    }

    [Fact]
    public void Update_CountersWentDown_IsARemountWithNoAverage()
    {
        var averages = new NfsOpAverages();
        averages.Update(Report(("READ", 9000, 9000, 9500)));

        averages.Update(Report(("READ", 10, 5, 6)));
        Assert.Empty(averages.Latest);

        averages.Update(Report(("READ", 20, 25, 36)));
        Assert.Equal(TimeSpan.FromMilliseconds(2), averages.Latest[(Mount, "READ")].Rtt);
    }

    [Fact]
    public void Update_OperationOutsideTheFixedSet_IsNotKept()
    {
        var averages = new NfsOpAverages();
        averages.Update(Report(("READDIRPLUS", 1, 1, 1)));

        averages.Update(Report(("READDIRPLUS", 5, 9, 9)));

        Assert.Empty(averages.Latest);
    }
}
