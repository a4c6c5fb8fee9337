using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Nfs;

/// <summary>
/// NFS incidents end to end: three real agents share one NAS (the FUSE fault file system declared as an NFS mount),
/// a real aggregator judges. A hang on all three is one NasUnreachable with the three NfsMountHung incidents linked
/// to it as their cause; when the NAS answers again, everything resolves.
/// </summary>
public sealed class NfsIncidentTests
{
    private const string Nas = "127.0.0.1";

    [Fact]
    public async Task NasHangsForThreeNodes_OneNasUnreachableWithEachHungMountLinked_ResolvesWhenItAnswers()
    {
        var unavailable = FuseFaultLab.Unavailable();
        Assert.SkipWhen(unavailable is not null, unavailable ?? string.Empty);
        using var lab = await FuseFaultLab.StartAsync();
        using var aggregator = new AggregatorProcess(null, "--Rules:EvaluationInterval=00:00:00.1", "--Rules:WarmUp=00:00:00",
            "--Rules:NfsMountHung:ResolveAfter=00:00:01", "--Rules:NasUnreachable:ResolveAfter=00:00:01");
        await aggregator.StartAsync();
        var agents = Enumerable.Range(1, 3).Select(i => AgentProcess.Start($"nas-{i}", aggregator.GrpcUrl,
            [.. lab.AgentArguments(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1)), "--Agent:ReportInterval=00:00:01", "--Agent:ProbeInterval=00:00:01"])).ToList();
        try
        {
            foreach (var agent in agents)
            {
                await AgentProcess.WaitConnectedAsync(agent);
            }

            await Eventually.WaitAsync(aggregator.NodesAsync, n => n.Count == 3 && n.All(x => x.LastSeq >= 2), TimeSpan.FromSeconds(30), "three agents reporting");
            await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
            Assert.DoesNotContain(await aggregator.IncidentsAsync("?state=open"), i => i.Kind is "NfsMountHung" or "NasUnreachable");
            // The fixture's second mount is drifted on purpose (soft, timeo=100, rsize 131072): that is reported, and is no NAS symptom.
            Assert.Contains(await aggregator.IncidentsAsync("?state=firing&kind=NfsOptionDrift"), i => i.Subject.Node == "nas-1");

            lab.SetMode("hang");
            var open = await Eventually.WaitAsync(() => aggregator.IncidentsAsync("?state=firing"),
                list => list.Count(i => i.Kind == "NfsMountHung") == 3 && list.Any(i => i.Kind == "NasUnreachable")
                        && list.Where(i => i.Kind == "NfsMountHung").All(i => i.Cause is not null),
                TimeSpan.FromSeconds(60), "NasUnreachable (For 10 s) with three linked NfsMountHung incidents");

            var nas = Assert.Single(open, i => i.Kind == "NasUnreachable");
            Assert.Equal(Nas, nas.Subject.Server);
            Assert.Equal("nas-1,nas-2,nas-3", nas.Evidence["hungOn"]);
            Assert.All(open.Where(i => i.Kind == "NfsMountHung"), i =>
            {
                Assert.Equal(nas.Id, i.Cause);
                Assert.Equal(lab.MountPoint, i.Subject.Mount);
            });
            Assert.All(open.Where(i => i.Kind == "NfsOptionDrift"), i => Assert.Null(i.Cause));
            Assert.Equal(1, await aggregator.MetricAsync($"bramble_nfs_mount_state{{node=\"nas-1\",mount=\"{lab.MountPoint}\",state=\"hung\"}}"));

            lab.SetMode("ok");
            await Eventually.WaitAsync(() => aggregator.IncidentsAsync("?state=open"),
                list => !list.Any(i => i.Kind is "NfsMountHung" or "NasUnreachable"), TimeSpan.FromSeconds(60), "the NFS incidents resolving");
            Assert.Equal("resolved", (await aggregator.IncidentAsync(nas.Id))!.State);
        }
        finally
        {
            lab.SetMode("ok");
            foreach (var agent in agents)
            {
                agent.Dispose();
            }
        }
    }
}
