using System.Diagnostics;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Incidents;

/// <summary>
/// Three real agents on loopback. A frozen agent (SIGSTOP) is an AgentSilent incident for that node alone and resolves
/// when it thaws; two frozen at once are one NetworkPartition with both AgentSilent incidents attributed to it.
/// </summary>
public sealed class SilentAgentTests : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);
    private readonly AggregatorProcess _aggregator = new(null,
        "--Rules:EvaluationInterval=00:00:00.1", "--Rules:WarmUp=00:00:00", "--Rules:AgentSilent:ResolveAfter=00:00:01",
        "--Rules:NetworkPartition:ResolveAfter=00:00:01");

    private readonly List<ManagedProcess> _agents = [];

    public void Dispose()
    {
        foreach (var agent in _agents)
        {
            if (!agent.HasExited)
            {
                agent.Signal(Signals.Continue);
            }

            agent.Dispose();
        }

        _aggregator.Dispose();
    }

    [Fact]
    public async Task OneAgentFrozen_AgentSilentFiresForItAlone_AndResolvesWhenItThaws()
    {
        await StartClusterAsync("solo");
        var frozen = _agents[2];

        var stoppedAt = TimeProvider.System.GetUtcNow();
        frozen.Signal(Signals.Stop);
        var incident = await WaitForIncidentAsync("?state=firing&kind=AgentSilent", list => list.Count >= 1, "AgentSilent firing");

        var silent = Assert.Single(incident);
        Assert.Equal("solo-3", silent.Subject.Node);
        Assert.Null(silent.Cause);
        Assert.True(silent.FiringAt - stoppedAt <= (3 * Interval) + TimeSpan.FromSeconds(1),
            $"fired {(silent.FiringAt - stoppedAt)?.TotalSeconds:F2} s after the freeze; the bound is 3 × {Interval.TotalSeconds} s + 1 s");
        Assert.Contains("solo-3 has not reported for", silent.Summary, StringComparison.Ordinal);
        await Task.Delay(3 * Interval, TestContext.Current.CancellationToken);
        Assert.Equal([silent.Id], (await _aggregator.IncidentsAsync("?state=firing")).Select(i => i.Id));
        Assert.Equal(1, await _aggregator.MetricAsync("bramble_incidents{kind=\"AgentSilent\",severity=\"critical\",state=\"firing\"}"));

        frozen.Signal(Signals.Continue);
        var resolved = await Eventually.WaitAsync(() => _aggregator.IncidentAsync(silent.Id), i => i!.State == "resolved",
            TimeSpan.FromSeconds(15), "AgentSilent resolving after SIGCONT");
        Assert.Equal(["pending", "firing", "resolved"], resolved!.Transitions!.Select(t => t.To));
        Assert.Empty(await _aggregator.IncidentsAsync("?state=firing"));
        var all = await _aggregator.IncidentsAsync();
        Assert.True(all.Count == 1, string.Join("\n", all.Select(i => $"{i.Id} {i.State} {i.Summary} {i.StartedAt:O} {i.ResolvedAt:O}")) + "\n" + _aggregator.Process!.Output);
        Assert.Equal(1, await _aggregator.MetricAsync("bramble_incident_transitions_total{kind=\"AgentSilent\",to=\"firing\"}"));
        Assert.True(await _aggregator.MetricAsync("bramble_incident_transitions_total{kind=\"AgentSilent\",to=\"resolved\"}") >= 1);
        Assert.Equal(0, await _aggregator.MetricAsync("bramble_incidents{kind=\"AgentSilent\",severity=\"critical\",state=\"firing\"}"));
    }

    [Fact]
    public async Task TwoOfThreeFrozenAtOnce_OneNetworkPartition_WithBothAgentSilentLinkedToIt()
    {
        await StartClusterAsync("pair");

        _agents[1].Signal(Signals.Stop);
        _agents[2].Signal(Signals.Stop);
        var open = await WaitForIncidentAsync("?state=firing",
            list => list.Count(i => i.Kind == "AgentSilent") == 2 && list.Any(i => i.Kind == "NetworkPartition")
                    && list.Where(i => i.Kind == "AgentSilent").All(i => i.Cause is not null),
            "a partition with two linked AgentSilent incidents");

        var partition = Assert.Single(open, i => i.Kind == "NetworkPartition");
        Assert.Equal("pair-2,pair-3", partition.Evidence["silentNodes"]);
        Assert.All(open.Where(i => i.Kind == "AgentSilent"), i => Assert.Equal(partition.Id, i.Cause));
        Assert.Equal(["pair-2", "pair-3"], open.Where(i => i.Kind == "AgentSilent").Select(i => i.Subject.Node).Order());
        Assert.DoesNotContain(open, i => i.Subject.Node == "pair-1");
        var page = await _aggregator.GetTextAsync("/");
        Assert.Contains("caused by", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FiringIncident_SurvivesAnAggregatorRestart_StillFiringWithItsIdAndStart()
    {
        using var aggregator = new AggregatorProcess(null, "--Rules:EvaluationInterval=00:00:00.1", "--Rules:WarmUp=00:00:05",
            "--Rules:AgentSilent:ResolveAfter=00:00:01");
        await aggregator.StartAsync();
        using var agent = AgentProcess.Start("persist-1", aggregator.GrpcUrl, $"--Agent:ReportInterval={Interval}");
        await AgentProcess.WaitConnectedAsync(agent);
        await Eventually.WaitAsync(() => aggregator.NodeAsync("persist-1"), n => n is { LastSeq: >= 2 }, TimeSpan.FromSeconds(20), "reports");
        await Task.Delay(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken); // past the first warm-up

        agent.Signal(Signals.Stop);
        try
        {
            var before = (await Eventually.WaitAsync(() => aggregator.IncidentsAsync("?state=firing"), i => i.Count == 1,
                TimeSpan.FromSeconds(15), "AgentSilent firing")).Single();
            await aggregator.KillAsync();
            await aggregator.StartAsync();
            await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);

            var after = (await aggregator.IncidentsAsync("?state=firing")).Single();
            Assert.Equal(before.Id, after.Id);
            Assert.Equal(before.StartedAt, after.StartedAt);
            Assert.Equal(before.FiringAt, after.FiringAt);
            var history = (await aggregator.IncidentAsync(after.Id))!.Transitions!;
            Assert.Equal(["pending", "firing"], history.Select(t => t.To));
        }
        finally
        {
            agent.Signal(Signals.Continue);
        }
    }

    private async Task StartClusterAsync(string prefix)
    {
        await _aggregator.StartAsync();
        for (var i = 1; i <= 3; i++)
        {
            _agents.Add(AgentProcess.Start($"{prefix}-{i}", _aggregator.GrpcUrl, $"--Agent:ReportInterval={Interval}"));
        }

        foreach (var agent in _agents)
        {
            await AgentProcess.WaitConnectedAsync(agent);
        }

        await Eventually.WaitAsync(_aggregator.NodesAsync, nodes => nodes.Count == 3 && nodes.All(n => n.LastSeq >= 3),
            TimeSpan.FromSeconds(20), "three agents reporting");
        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        Assert.Empty(await _aggregator.IncidentsAsync("?state=open"));
    }

    private Task<IReadOnlyList<IncidentStatus>> WaitForIncidentAsync(string query, Func<IReadOnlyList<IncidentStatus>, bool> done, string what) =>
        Eventually.WaitAsync(() => _aggregator.IncidentsAsync(query), done, TimeSpan.FromSeconds(15), what);
}
