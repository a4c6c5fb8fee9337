using Bramble.Aggregator.Nodes;
using Bramble.Protos.V1;
using Google.Protobuf.WellKnownTypes;

namespace Bramble.Aggregator.Tests.Nfs;

public sealed class FreshProbeStepsTests
{
    private static Report Report(params (string Mount, double FsyncMs)[] mounts)
    {
        var report = new Report();
        foreach (var (mount, fsync) in mounts)
        {
            report.NfsMounts.Add(new NfsMount
            {
                MountPoint = mount,
                ProbeSteps =
                {
                    new NfsProbeStep { Step = "create", Duration = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(1.25)) },
                    new NfsProbeStep { Step = "fsync", Duration = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(fsync)) },
                },
            });
        }

        return report;
    }

    [Fact]
    public void Update_SameProbeInTheNextReport_IsNotFreshAgain()
    {
        var fresh = new FreshProbeSteps();

        Assert.Equal(4, fresh.Update(Report(("/a", 3.5), ("/b", 7.125))).Count);
        Assert.Empty(fresh.Update(Report(("/a", 3.5), ("/b", 7.125))));

        var next = fresh.Update(Report(("/a", 3.5), ("/b", 9.0)));
        Assert.Equal([("create", 1.25), ("fsync", 9.0)], next.Select(s => (s.Step, s.Duration.ToTimeSpan().TotalMilliseconds)));
    }

    [Fact]
    public void Update_MountWithoutSteps_ContributesNothing()
    {
        var fresh = new FreshProbeSteps();

        Assert.Empty(fresh.Update(new Report { NfsMounts = { new NfsMount { MountPoint = "/a" } } }));
    }
}
