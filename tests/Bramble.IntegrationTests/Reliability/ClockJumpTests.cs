using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Reliability;

/// <summary>Issue 13, "clock": the aggregator's wall clock steps an hour forward and back (libfaketime, real processes).</summary>
public sealed partial class ClockJumpTests
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    // Was red until the aggregator measured silence on the monotonic clock (NodeEntry.LastSeenTimestamp): a step of its
    // wall clock read as 29 s of silence from an agent reporting every second.
    [Fact]
    public async Task AggregatorClockJumpsAnHourForwardAndBack_WhileTheAgentReportsHealthy_NoIncidentOpens()
    {
        Assert.SkipWhen(FakeClock.SkipReason.Length > 0, FakeClock.SkipReason);
        var cancel = TestContext.Current.CancellationToken;
        using var clock = new FakeClock();
        using var data = new TempDir();
        var grpcPort = FreePort.Next();
        var httpPort = FreePort.Next();
        using var aggregator = ManagedProcess.StartDotnet("aggregator", RepoLayout.AggregatorDll,
        [
            $"--Aggregator:GrpcUrl=http://127.0.0.1:{grpcPort}",
            $"--Aggregator:HttpUrl=http://127.0.0.1:{httpPort}",
            $"--Aggregator:DataDirectory={data.Path}",
            "--Logging:LogLevel:Default=Information",
            "--Aggregator:AgentAuthentication=None",
            "--Rules:ClockSkew:Enabled=false",
        ], clock.Environment);
        await aggregator.WaitForLineAsync(AggregatorStartedLine(), TimeSpan.FromSeconds(30));
        using var http = new HttpClient(new SocketsHttpHandler()) { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(5) };
        using var agent = AgentProcess.Start("steady-node", $"http://127.0.0.1:{grpcPort}", "--Agent:ReportInterval=00:00:01");
        await AgentProcess.WaitConnectedAsync(agent);
        await Eventually.WaitAsync(() => http.GetFromJsonAsync<NodeStatus[]>("/api/v1/nodes", Json, cancel), n => n is [{ LastSeq: >= 5 }], TimeSpan.FromSeconds(30), "first reports");
        var baseline = (await IncidentsAsync(http)).Select(i => i.Id).ToHashSet();

        foreach (var offset in new[] { TimeSpan.FromHours(1), TimeSpan.Zero, TimeSpan.FromHours(-1), TimeSpan.Zero })
        {
            clock.Offset(offset);
            // Several report intervals and rule evaluations at each offset: AgentSilent's threshold is 3 s here.
            await Task.Delay(TimeSpan.FromSeconds(6), cancel);
        }

        var incidents = await IncidentsAsync(http);
        var appeared = incidents.Where(i => !baseline.Contains(i.Id)).ToList();
        Assert.True(appeared.Count == 0, "incidents opened by a clock step: " + string.Join("; ", appeared.Select(i => $"{i.Kind} {i.State} {i.Summary}")));
    }

    private static async Task<IReadOnlyList<IncidentStatus>> IncidentsAsync(HttpClient http) =>
        await http.GetFromJsonAsync<IncidentStatus[]>("/api/v1/incidents?limit=1000", Json) ?? [];

    [GeneratedRegex("bramble-aggregator .* is running")]
    private static partial Regex AggregatorStartedLine();

    private sealed class TempDir : IDisposable
    {
        private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("bt-clockjump-");

        public string Path => _directory.FullName;

        public void Dispose() => _directory.Delete(recursive: true);
    }
}
