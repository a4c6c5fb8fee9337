using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Bramble.Aggregator.Tests.Storage;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Leadership;

/// <summary>
/// A remediation across a change of leader, with real processes: two aggregators on one throwaway PostgreSQL
/// (LeaseDuration 3 s), a real agent listing both, a kubelet healthz stand-in that dies. The leader fires KubeletDown
/// and sends RestartUnit; the agent's <c>systemctl</c> test double (recording every call) takes 5 s, and the leader is
/// SIGKILLed under it. The follower takes over from the plan the old leader stored: the result reaches it, the restart
/// is verified, and systemctl was called exactly once.
/// </summary>
public sealed class TakeoverRemediationTests : IClassFixture<ThrowawayPostgres>, IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly ThrowawayPostgres _postgres;
    private readonly TempDirectory _bin = new();
    private readonly TempDirectory _state = new();
    private readonly TempDirectory _credentials = new();
    private readonly HttpClient _http = new(new SocketsHttpHandler()) { Timeout = TimeSpan.FromSeconds(10) };

    public TakeoverRemediationTests(ThrowawayPostgres postgres)
    {
        _postgres = postgres;
        var systemctl = Path.Combine(_bin.Path, "systemctl");
        File.WriteAllText(systemctl, """
            #!/bin/sh
            printf '%s\n' "systemctl $*" >> "$(dirname "$0")/calls.log"
            case "$1" in
              restart) sleep 5; echo "restarted $2" >&2; exit 0 ;;
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
    public async Task LeaderKilledWhileTheRestartRuns_TheNewLeaderKeepsThePlan_VerifiesIt_SystemctlCalledOnce()
    {
        Assert.SkipWhen(_postgres.SkipReason.Length > 0, _postgres.SkipReason);
        var connection = Path.Combine(_credentials.Path, "pg");
        File.WriteAllText(connection, _postgres.CreateDatabase() + "\n");
        using var a = Aggregator(connection);
        using var b = Aggregator(connection);
        await a.StartAsync();
        await Eventually.WaitAsync(() => a.MetricAsync("bramble_aggregator_leader"), v => v == 1, Patience, "a leads");
        await b.StartAsync();

        var port = FreePort.Next();
        FixedPortHealthzServer? healthz = new(port);
        using var agent = AgentProcess.Start("kube-1", a.GrpcUrl,
            [
                $"--Agent:AggregatorAddresses:0={a.GrpcUrl}",
                $"--Agent:AggregatorAddresses:1={b.GrpcUrl}",
                $"--Kubelet:HealthzUrl=http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/healthz",
                "--Kubelet:Timeout=00:00:00.5",
                "--Agent:ProbeInterval=00:00:01",
                "--Agent:ReportInterval=00:00:01",
                "--Remediation:Units:0=kubelet",
                $"--Remediation:StateDirectory={_state.Path}",
            ],
            new Dictionary<string, string> { ["PATH"] = $"{_bin.Path}:{Environment.GetEnvironmentVariable("PATH")}" });
        try
        {
            await Eventually.WaitAsync(() => a.NodeAsync("kube-1"), n => n is { Connected: true, LastSeq: >= 2 }, Patience, "kube-1 reporting to a");
            healthz.Dispose();
            healthz = null;

            // The double sleeps 5 s before it answers: kill the leader under it.
            await Eventually.WaitAsync(() => Task.FromResult(Restarts()), r => r.Count > 0, Patience, "the agent calling systemctl restart");
            await a.KillAsync();
            await Eventually.WaitAsync(() => b.MetricAsync("bramble_aggregator_leader"), v => v == 1, Patience, "b leads");
            healthz = new FixedPortHealthzServer(port);

            var audit = await Eventually.WaitAsync(() => AuditAsync(b), r => r.Any(e => e.Event == "verified"), Patience, "the restart verified by the new leader");
            await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);

            Assert.Equal(["systemctl restart kubelet.service"], Restarts());
            audit = await AuditAsync(b);
            Assert.Equal(["planned", "dispatched", "result", "verified"], audit.OrderBy(e => e.Seq).Select(e => e.Event));
            Assert.Equal("succeeded", audit.Single(e => e.Event == "result").Outcome);
            Assert.Equal("succeeded", audit.Single(e => e.Event == "verified").Outcome);
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
            "--Remediation:VerificationWindow=00:01:00",
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

    private sealed record AuditRow(long Seq, string Event, string? PlanId, string IncidentId, string Kind, string? Node, string? Action, string? Outcome);
}
