using System.Diagnostics;
using System.Globalization;
using Bramble.IntegrationTests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Bramble.IntegrationTests.Reliability;

/// <summary>
/// Issue 13, aggregator loss: SIGKILL in the middle of steady load from 200 agents. An ack means "the node's ledger
/// (boot, last seq, counts) covering this report is committed to SQLite", so every acknowledged report must be
/// accounted for after a restart on the same data directory, and each report counted once.
/// </summary>
public sealed class AggregatorKilledUnderLoadTests
{
    private const int AgentCount = 200;
    private static readonly TimeSpan ReportInterval = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan Phase = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task SigkilledUnder200Agents_RestartedOnTheSameData_EveryAckedReportKept_NoneCountedTwice()
    {
        var output = TestContext.Current.TestOutputHelper!;
        var ct = TestContext.Current.CancellationToken;
        using var aggregator = new AggregatorProcess();
        await aggregator.StartAsync();

        var agents = Enumerable.Range(0, AgentCount)
            .Select(i => new SimulatedAgent(string.Create(CultureInfo.InvariantCulture, $"load-node-{i:D3}"), aggregator.GrpcUrl, ReportInterval, seed: i))
            .ToArray();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var runs = agents.Select(a => Task.Run(() => a.RunAsync(stop.Token), CancellationToken.None)).ToArray();
        try
        {
            await WaitAllAsync(agents, a => a.Connected && a.HighestAcked >= 3, "all 200 agents connected and acknowledged");

            // Steady load, then the kill: the aggregator has acks in flight, commits in progress and reports unread.
            await Task.Delay(TimeSpan.FromSeconds(3), ct);
            var sentBeforeKill = agents.Sum(a => (long)a.LastSeq);
            await aggregator.KillAsync();
            var clock = Stopwatch.StartNew();
            // Acks already on the wire when the process died may still be read; wait for every stream to notice.
            await WaitAllAsync(agents, a => !a.Connected, "every agent noticed the dead aggregator");
            var ackedBeforeKill = agents.ToDictionary(a => a.NodeName, a => a.HighestAcked);
            var welcomesBeforeKill = agents.ToDictionary(a => a.NodeName, a => a.Welcomes.Count);

            // The agents keep reporting into their outboxes meanwhile, as real ones do.
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
            await aggregator.StartAsync();
            await WaitAllAsync(agents, a => a.Connected && a.Welcomes.Count > welcomesBeforeKill[a.NodeName], "all 200 agents reconnected");
            output.WriteLine($"kill to all 200 reconnected: {clock.Elapsed.TotalSeconds:F1} s");

            await Task.Delay(TimeSpan.FromSeconds(3), ct);
            foreach (var agent in agents)
            {
                agent.StopProducing();
            }

            await WaitAllAsync(agents, a => a.Pending == 0 && a.HighestAcked == a.LastSeq, "every outbox drained");

            Assert.All(agents, a => Assert.Null(a.Violation));
            var firstWelcomeAfterRestart = agents.ToDictionary(a => a.NodeName, a => a.Welcomes[welcomesBeforeKill[a.NodeName]]);
            foreach (var agent in agents)
            {
                Assert.True(firstWelcomeAfterRestart[agent.NodeName] >= ackedBeforeKill[agent.NodeName],
                    $"{agent.NodeName}: acked up to {ackedBeforeKill[agent.NodeName]} before the kill, the restarted aggregator holds {firstWelcomeAfterRestart[agent.NodeName]}");
            }

            var nodes = (await aggregator.NodesAsync()).ToDictionary(n => n.Name);
            foreach (var agent in agents)
            {
                var node = nodes[agent.NodeName];
                Assert.Equal(agent.BootId, node.BootId);
                Assert.Equal(agent.LastSeq, node.LastSeq);
                Assert.Equal(0UL, node.SeqGaps);
                // Each seq 1..LastSeq counted once: what the dead process processed without committing is not in the
                // durable counts, and what it committed is not counted again (replays at or below the Welcome are dropped).
                Assert.Equal(agent.LastSeq, node.ReportsReceived);
                Assert.Equal(0UL, node.MessagesRejected);
            }

            // The ack's promise checked on disk: SIGKILL once more and read the ledger straight from the SQLite file.
            var ackedAtSecondKill = agents.ToDictionary(a => a.NodeName, a => a.HighestAcked);
            await aggregator.KillAsync();
            var onDisk = ReadLedger(aggregator.DataDirectory);
            foreach (var agent in agents)
            {
                Assert.True(onDisk[agent.NodeName] >= ackedAtSecondKill[agent.NodeName],
                    $"{agent.NodeName}: acked {ackedAtSecondKill[agent.NodeName]}, the file holds {onDisk[agent.NodeName]}");
            }

            var acked = ackedBeforeKill.Values.Sum(v => (long)v);
            var heldAfter = firstWelcomeAfterRestart.Values.Sum(v => (long)v);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"before the kill: {sentBeforeKill} reports made, {acked} acknowledged; the restarted aggregator held {heldAfter} " +
                $"({heldAfter - acked} committed but not yet acknowledged to the agent at the kill; " +
                $"{agents.Count(a => firstWelcomeAfterRestart[a.NodeName] > ackedBeforeKill[a.NodeName])} nodes had such reports); " +
                $"after: {agents.Sum(a => (long)a.LastSeq)} reports, duplicates dropped {nodes.Values.Sum(n => (long)n.DuplicatesDropped)}, " +
                $"gaps {nodes.Values.Sum(n => (long)n.SeqGaps)}"));
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(runs).WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
            foreach (var agent in agents)
            {
                await agent.DisposeAsync();
            }
        }
    }

    private static async Task WaitAllAsync(SimulatedAgent[] agents, Func<SimulatedAgent, bool> done, string what)
    {
        var clock = Stopwatch.StartNew();
        // Bounded by Phase; polls every 100 ms.
        while (clock.Elapsed < Phase)
        {
            if (agents.All(done))
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), TestContext.Current.CancellationToken);
        }

        var behind = agents.Where(a => !done(a)).Take(5)
            .Select(a => $"{a.NodeName} (connected {a.Connected}, seq {a.LastSeq}, acked {a.HighestAcked}, pending {a.Pending}, welcomes [{string.Join(',', a.Welcomes)}], last error {a.LastError}, violation {a.Violation})");
        throw new TimeoutException($"{what}: not within {Phase.TotalSeconds} s; {agents.Count(a => !done(a))} behind, e.g. {string.Join("; ", behind)}");
    }

    private static Dictionary<string, ulong> ReadLedger(string dataDirectory)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(dataDirectory, "bramble.db"),
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false,
        }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, last_seq FROM nodes;";
        using var reader = command.ExecuteReader();
        var result = new Dictionary<string, ulong>();
        while (reader.Read())
        {
            result[reader.GetString(0)] = (ulong)reader.GetInt64(1);
        }

        return result;
    }
}
