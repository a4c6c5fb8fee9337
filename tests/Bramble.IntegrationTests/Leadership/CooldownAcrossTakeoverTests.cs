using System.Net.Http.Json;
using System.Text.Json;
using Bramble.Aggregator.Tests.Storage;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Leadership;

/// <summary>
/// Cooldowns survive a change of leader, with real processes: two aggregators on one throwaway PostgreSQL, a real
/// agent listing both with a <c>systemctl</c> test double that records every call. The leader restarts the dead
/// kubelet (Mode=Auto), the kubelet comes back, the restart is verified and the incident resolves; the leader is
/// SIGKILLed and the follower takes over; the SAME fault comes back within the cooldown. The new leader loaded the
/// cooldown from the shared store when its term began, so it holds the restart back (audited "suppressed", outcome
/// "cooldown") and systemctl was called exactly once.
/// </summary>
public sealed class CooldownAcrossTakeoverTests : IClassFixture<ThrowawayPostgres>, IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly ThrowawayPostgres _postgres;
    private readonly TempDirectory _bin = new();
    private readonly TempDirectory _state = new();
    private readonly TempDirectory _credentials = new();
    private readonly HttpClient _http = new(new SocketsHttpHandler()) { Timeout = TimeSpan.FromSeconds(10) };
    private readonly ITestOutputHelper _output;

    public CooldownAcrossTakeoverTests(ThrowawayPostgres postgres, ITestOutputHelper output)
    {
        _postgres = postgres;
        _output = output;
        var systemctl = Path.Combine(_bin.Path, "systemctl");
        File.WriteAllText(systemctl, """
            #!/bin/sh
            printf '%s\n' "systemctl $*" >> "$(dirname "$0")/calls.log"
            case "$1" in
              restart) echo "restarted $2" >&2; exit 0 ;;
              *) echo "System has not been booted with systemd as init system (PID 1). Can't operate." >&2; exit 1 ;;
            esac
            """);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(systemctl, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _bin.Dispose();
        _state.Dispose();
        _credentials.Dispose();
    }

    [Fact]
    public async Task RestartDoneByTheOldLeader_FaultBackAfterTheTakeover_TheNewLeaderHoldsItBackForTheCooldown_SystemctlCalledOnce()
    {
        Assert.SkipWhen(_postgres.SkipReason.Length > 0, _postgres.SkipReason);
        var database = _postgres.CreateDatabase();
        var connection = Path.Combine(_credentials.Path, "pg");
        File.WriteAllText(connection, database + "\n");
        using var a = Aggregator(connection);
        using var b = Aggregator(connection);
        await a.StartAsync();
        await Eventually.WaitAsync(() => a.MetricAsync("bramble_aggregator_leader"), v => v == 1, Patience, "a leads");
        // b starts before anything is done: its planner's first state has no cooldown, only a new term's reload gives it one.
        await b.StartAsync();
        await Eventually.WaitAsync(() => LeadershipLab.LeadershipAsync(_http, b), l => l.LeaderAddress == a.GrpcUrl, Patience, "b follows a");

        var port = FreePort.Next();
        FixedPortHealthzServer? healthz = new(port);
        using var agent = LeadershipLab.KubeletAgent("cool-1", a, b, port,
            ["--Remediation:Units:0=kubelet", $"--Remediation:StateDirectory={_state.Path}"],
            new Dictionary<string, string> { ["PATH"] = $"{_bin.Path}:{Environment.GetEnvironmentVariable("PATH")}" });
        try
        {
            await Eventually.WaitAsync(() => a.NodeAsync("cool-1"), n => n is { Connected: true, LastSeq: >= 2 }, Patience, "cool-1 reporting to a");
            healthz.Dispose();
            healthz = null;
            await Eventually.WaitAsync(() => Task.FromResult(Restarts()), r => r.Count > 0, Patience, "a's restart reaching systemctl");
            healthz = new FixedPortHealthzServer(port);
            await Eventually.WaitAsync(() => AuditAsync(a), r => r.Any(e => e.Event == "verified"), Patience, "the restart verified by a");
            await Eventually.WaitAsync(() => Task.FromResult(LeadershipLab.Scalar(database, "SELECT count(*) FROM incidents WHERE kind = 'KubeletDown' AND state <> 'resolved';")),
                c => c is 0L, Patience, "KubeletDown resolved");

            await a.KillAsync();
            await Eventually.WaitAsync(() => b.MetricAsync("bramble_aggregator_leader"), v => v == 1, Patience, "b leads");
            await Eventually.WaitAsync(() => b.NodeAsync("cool-1"), n => n is { Connected: true }, Patience, "cool-1 reporting to b");

            // The same fault, well within the 10-minute cooldown.
            healthz.Dispose();
            healthz = null;
            var audit = await Eventually.WaitAsync(() => AuditAsync(b), r => r.Any(e => e is { Event: "suppressed", Outcome: "cooldown" }), Patience,
                "b holding the restart back for the cooldown");
            await Task.Delay(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
            audit = await AuditAsync(b);
            _output.WriteLine(string.Join("\n", audit.OrderBy(e => e.Seq).Select(e => $"{e.Seq} {e.Event} {e.Kind} {e.IncidentId} {e.Node} {e.Action} {e.Outcome} {e.Detail}")));

            Assert.Equal(["systemctl restart kubelet.service"], Restarts());
            var held = audit.First(e => e is { Event: "suppressed", Outcome: "cooldown" });
            Assert.Equal(("KubeletDown", "cool-1", "restart_unit"), (held.Kind, held.Node, held.Action));
            Assert.Single(audit, e => e.Event == "dispatched");
            Assert.Equal(2, await b.MetricAsync("bramble_aggregator_lease_epoch"));
        }
        finally
        {
            healthz?.Dispose();
        }
    }

    private static AggregatorProcess Aggregator(string connectionFile)
    {
        var aggregator = new AggregatorProcess(null,
            "--Aggregator:Store=Postgres",
            $"--Aggregator:PostgresConnectionStringFile={connectionFile}",
            "--Aggregator:LeaseDuration=00:00:03",
            "--Rules:EvaluationInterval=00:00:00.2",
            "--Rules:WarmUp=00:00:00",
            "--Rules:KubeletDown:For=00:00:01",
            "--Rules:KubeletDown:ResolveAfter=00:00:01",
            "--Remediation:MaxUnhealthyShare=1",
            "--Remediation:Settle=00:00:01",
            "--Remediation:VerificationWindow=00:00:30",
            "--Remediation:Cooldown=00:10:00",
            "--Remediation:Mode=Auto");
        aggregator.LateArguments.Add($"--Aggregator:AdvertiseAddress={aggregator.GrpcUrl}");
        return aggregator;
    }

    private List<string> Restarts()
    {
        var log = Path.Combine(_bin.Path, "calls.log");
        return File.Exists(log) ? [.. File.ReadAllLines(log).Where(l => l.StartsWith("systemctl restart ", StringComparison.Ordinal))] : [];
    }

    private async Task<IReadOnlyList<AuditRow>> AuditAsync(AggregatorProcess aggregator) =>
        await _http.GetFromJsonAsync<AuditRow[]>($"{aggregator.HttpUrl}/api/v1/audit", Json) ?? [];

    private sealed record AuditRow(long Seq, string Event, string? PlanId, string IncidentId, string Kind, string? Node, string? Action, string? Outcome, string? Detail);
}
