using System.Diagnostics;
using System.Globalization;
using Bramble.IntegrationTests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Bramble.IntegrationTests.Reliability;

/// <summary>
/// Issue 13, aggregator loss: its data directory runs out of space. It must keep ingesting in memory (node state and
/// incidents live), say so once and visibly, withhold acks (so agents keep their reports), and write everything once
/// space returns.
/// </summary>
public sealed class AggregatorDiskFullTests
{
    private const int AgentCount = 5;
    private static readonly TimeSpan Phase = TimeSpan.FromSeconds(30);
    private static readonly string[] AllStores = ["ledger", "incidents", "remediation", "alerts"];

    [Fact]
    public async Task DataDirectoryFull_IngestAndIncidentsGoOnInMemory_AcksWithheld_EverythingWrittenWhenSpaceReturns()
    {
        Assert.SkipWhen(SmallTmpfs.SkipReason.Length > 0, SmallTmpfs.SkipReason);
        var output = TestContext.Current.TestOutputHelper!;
        var ct = TestContext.Current.CancellationToken;
        using var tmpfs = SmallTmpfs.Mount(megabytes: 16);
        var aggregator = new AggregatorProcess(tmpfs.Path,
            "--Rules:RootFsReadOnly:For=00:00:01", "--Logging:LogLevel:Bramble.Aggregator.Ingest.LedgerFlusher=Debug");
        SimulatedAgent[] agents = [.. Enumerable.Range(0, AgentCount)
            .Select(i => new SimulatedAgent(string.Create(CultureInfo.InvariantCulture, $"full-node-{i}"), aggregator.GrpcUrl, TimeSpan.FromMilliseconds(100), seed: i))];
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Task[] runs = [];
        try
        {
            await aggregator.StartAsync();
            runs = agents.Select(a => Task.Run(() => a.RunAsync(stop.Token), CancellationToken.None)).ToArray();
            await WaitAllAsync(agents, a => a.Connected && a.HighestAcked >= 3, "agents connected and acknowledged");
            Assert.Equal(0, await aggregator.MetricAsync("bramble_store_degraded{store=\"ledger\"}"));
            Assert.Equal(200, (await aggregator.GetWithStatusAsync("/readyz")).Status);
            foreach (var store in AllStores)
            {
                Assert.Equal(1, await aggregator.MetricAsync($"bramble_store_healthy{{store=\"{store}\"}}"));
            }

            var filled = tmpfs.Fill();
            output.WriteLine($"filler: {filled} bytes; {tmpfs.AvailableBytes} bytes left");
            await Eventually.WaitAsync(() => aggregator.MetricAsync("bramble_store_degraded{store=\"ledger\"}"), v => v == 1, Phase, "the ledger store degraded");

            // Acks stop: whatever the aggregator acknowledged had been written before the disk filled.
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
            var acked = agents.ToDictionary(a => a.NodeName, a => a.HighestAcked);
            var seqAtFull = agents.ToDictionary(a => a.NodeName, a => a.LastSeq);

            // A fault injected meanwhile still opens an incident.
            agents[0].RootReadOnly = true;
            var incident = await Eventually.WaitAsync(() => aggregator.IncidentsAsync("?state=open"),
                list => list.Any(i => i.Kind == "RootFsReadOnly" && i.Subject.Node == agents[0].NodeName && i.State == "firing"),
                Phase, "RootFsReadOnly firing while the disk is full");
            var incidentId = incident.Single(i => i.Kind == "RootFsReadOnly").Id;
            Assert.Equal(1, await aggregator.MetricAsync("bramble_store_degraded{store=\"incidents\"}"));
            Assert.True(await aggregator.MetricAsync("bramble_store_held_in_memory{store=\"incidents\"}") > 0);

            // Node state stays live: the in-memory ledger moves on well past the last ack.
            var nodes = await Eventually.WaitAsync(() => aggregator.NodesAsync(),
                list => agents.All(a => list.Single(n => n.Name == a.NodeName).LastSeq >= seqAtFull[a.NodeName] + 10), Phase, "ingest going on in memory");
            foreach (var agent in agents)
            {
                Assert.Equal(acked[agent.NodeName], agent.HighestAcked);
                Assert.True(agent.Pending > 10, $"{agent.NodeName}: only {agent.Pending} report(s) wait in its outbox");
            }

            // Agents that (re)connect during the outage go live too: the Welcome names what is durable instead of waiting.
            var late = new SimulatedAgent("full-node-late", aggregator.GrpcUrl, TimeSpan.FromMilliseconds(100), seed: 99);
            agents = [.. agents, late];
            runs = [.. runs, Task.Run(() => late.RunAsync(stop.Token), CancellationToken.None)];
            var reconnecting = agents[1];
            var welcomesBefore = reconnecting.Welcomes.Count;
            var processedBefore = nodes.Single(n => n.Name == reconnecting.NodeName).LastSeq;
            reconnecting.DropStream();
            nodes = await Eventually.WaitAsync(() => aggregator.NodesAsync(),
                list => list.Any(n => n.Name == late.NodeName && n.LastSeq >= 10)
                    && reconnecting.Welcomes.Count > welcomesBefore && list.Single(n => n.Name == reconnecting.NodeName).LastSeq >= processedBefore + 10,
                Phase, "a new agent and a reconnected one reporting while the disk is full");
            Assert.Equal(0UL, late.HighestAcked);
            Assert.Equal([0UL], late.Welcomes);
            // The reconnected agent was told what is durable (at least what it had been acked), not what is only in memory.
            var welcome = reconnecting.Welcomes[welcomesBefore];
            Assert.True(welcome >= acked[reconnecting.NodeName] && welcome < processedBefore,
                $"Welcome {welcome}: acked {acked[reconnecting.NodeName]}, processed in memory {processedBefore}");
            Assert.True(nodes.Single(n => n.Name == reconnecting.NodeName).DuplicatesDropped > 0, "its replay of reports processed in memory was not dropped as duplicates");
            output.WriteLine($"reconnected while full: Welcome {welcome} (acked {acked[reconnecting.NodeName]}, in memory {processedBefore}), " +
                $"duplicates dropped {nodes.Single(n => n.Name == reconnecting.NodeName).DuplicatesDropped}; new node: Welcome 0, " +
                $"{nodes.Single(n => n.Name == late.NodeName).LastSeq} reports processed unacknowledged");
            Assert.Equal(1, await aggregator.MetricAsync("bramble_store_degraded{store=\"ledger\"}"));

            // Said loudly, and once: each store's outage is one error line naming the file and the errno, however many retries.
            var failedWrites = await aggregator.MetricAsync("bramble_store_write_failures_total{store=\"ledger\"}");
            Assert.True(failedWrites >= 3, $"the flusher retried only {failedWrites} time(s)");
            var log = aggregator.Process!.Output.Split('\n');
            var degradedLines = log.Where(l => l.Contains("[2300]", StringComparison.Ordinal)).ToArray();
            Assert.Equal(2, degradedLines.Length); // ledger and incidents
            Assert.All(degradedLines, l => Assert.Contains(Path.Combine(tmpfs.Path, "bramble.db"), l, StringComparison.Ordinal));
            Assert.All(degradedLines, l => Assert.Contains("ENOSPC", l, StringComparison.Ordinal));
            var storeApi = await aggregator.GetTextAsync("/api/v1/store");
            Assert.Contains("\"degraded\":true", storeApi, StringComparison.Ordinal);
            Assert.All(AllStores, store => Assert.Contains($"\"store\":\"{store}\"", storeApi, StringComparison.Ordinal));
            Assert.All(degradedLines, l => Assert.Contains("disk full", l, StringComparison.Ordinal));
            // /readyz and bramble_store_healthy name every store that cannot write, not only the ledger.
            var ready = await aggregator.GetWithStatusAsync("/readyz");
            Assert.Equal(503, ready.Status);
            Assert.Contains("incidents", ready.Body, StringComparison.Ordinal);
            Assert.Contains("ledger", ready.Body, StringComparison.Ordinal);
            Assert.Equal(0, await aggregator.MetricAsync("bramble_store_healthy{store=\"ledger\"}"));
            Assert.Equal(0, await aggregator.MetricAsync("bramble_store_healthy{store=\"incidents\"}"));
            output.WriteLine($"/readyz while full: {ready.Status} {ready.Body.Trim()}");
            Assert.Contains("Store degraded:", await aggregator.GetTextAsync("/"), StringComparison.Ordinal);
            output.WriteLine(degradedLines[0]);

            // Space returns: writes resume, acks catch up, outboxes drain, held incident changes are written.
            var freed = Stopwatch.StartNew();
            tmpfs.Free();
            await Eventually.WaitAsync(() => aggregator.MetricAsync("bramble_store_degraded{store=\"ledger\"}"), v => v == 0, Phase, "the ledger store recovered");
            await Eventually.WaitAsync(() => aggregator.MetricAsync("bramble_store_degraded{store=\"incidents\"}"), v => v == 0, Phase, "the incident store recovered");
            output.WriteLine($"space freed to both stores writing: {freed.Elapsed.TotalSeconds:F1} s");
            foreach (var agent in agents)
            {
                agent.StopProducing();
            }

            await WaitAllAsync(agents, a => a.Pending == 0 && a.HighestAcked == a.LastSeq, "every outbox drained");
            Assert.All(agents, a => Assert.Null(a.Violation));
            Assert.Equal(0, await aggregator.MetricAsync("bramble_store_held_in_memory{store=\"incidents\"}"));
            Assert.Equal(0, await aggregator.MetricAsync("bramble_store_dropped_total{store=\"incidents\"}"));
            Assert.Contains(aggregator.Process.Output.Split('\n'), l => l.Contains("[2301]", StringComparison.Ordinal));
            Assert.Equal(200, (await aggregator.GetWithStatusAsync("/readyz")).Status);
            foreach (var store in AllStores)
            {
                Assert.Equal(1, await aggregator.MetricAsync($"bramble_store_healthy{{store=\"{store}\"}}"));
            }

            nodes = await aggregator.NodesAsync();
            foreach (var agent in agents)
            {
                var node = nodes.Single(n => n.Name == agent.NodeName);
                Assert.Equal(agent.LastSeq, node.LastSeq);
                Assert.Equal(0UL, node.SeqGaps);
                Assert.Equal(agent.LastSeq, node.ReportsReceived);
            }

            // On disk: SIGKILL, then read the file the aggregator wrote.
            var ackedAtKill = agents.ToDictionary(a => a.NodeName, a => a.HighestAcked);
            await aggregator.KillAsync();
            var (ledger, incidentState, transitions) = ReadDatabase(tmpfs.Path, incidentId);
            Assert.All(agents, a => Assert.True(ledger[a.NodeName] >= ackedAtKill[a.NodeName], $"{a.NodeName}: acked {ackedAtKill[a.NodeName]}, file {ledger[a.NodeName]}"));
            Assert.Equal("firing", incidentState);
            Assert.Equal(["pending", "firing"], transitions);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"while full: acks frozen at {acked.Values.Sum(v => (long)v)}, ledger write failures {failedWrites}; " +
                $"after: {agents.Sum(a => (long)a.LastSeq)} reports, all acknowledged and on disk"));
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(runs).WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
            foreach (var agent in agents)
            {
                await agent.DisposeAsync();
            }

            aggregator.Dispose();
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

        var behind = agents.Where(a => !done(a))
            .Select(a => $"{a.NodeName} (connected {a.Connected}, seq {a.LastSeq}, acked {a.HighestAcked}, pending {a.Pending}, last error {a.LastError}, violation {a.Violation})");
        throw new TimeoutException($"{what}: not within {Phase.TotalSeconds} s: {string.Join("; ", behind)}");
    }

    private static (Dictionary<string, ulong> Ledger, string? IncidentState, string[] Transitions) ReadDatabase(string dataDirectory, string incidentId)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(dataDirectory, "bramble.db"),
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false,
        }.ToString());
        connection.Open();
        var ledger = new Dictionary<string, ulong>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT name, last_seq FROM nodes;";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                ledger[reader.GetString(0)] = (ulong)reader.GetInt64(1);
            }
        }

        using var state = connection.CreateCommand();
        state.CommandText = "SELECT state FROM incidents WHERE id = $id;";
        state.Parameters.AddWithValue("$id", incidentId);
        var incidentState = state.ExecuteScalar() as string;

        using var steps = connection.CreateCommand();
        steps.CommandText = "SELECT to_state FROM incident_transitions WHERE incident_id = $id ORDER BY at_ms, rowid;";
        steps.Parameters.AddWithValue("$id", incidentId);
        var transitions = new List<string>();
        using (var reader = steps.ExecuteReader())
        {
            while (reader.Read())
            {
                transitions.Add(reader.GetString(0));
            }
        }

        return (ledger, incidentState, [.. transitions]);
    }
}
