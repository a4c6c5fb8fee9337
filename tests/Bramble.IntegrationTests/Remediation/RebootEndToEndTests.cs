using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Remediation;

/// <summary>
/// A reboot step end to end with real processes on loopback: the kubelet healthz stand-in dies, the real aggregator
/// (Auto, RebootEnabled, a KubeletDown ladder of one Reboot step) sends the command, and the real agent lazily unmounts
/// the NFS mount listed in its fixture mountinfo and forces the reboot — through umount and systemctl doubles first on
/// its PATH that record their argument vectors. The "reboot" is then played by stopping the agent and starting it
/// again: with a new boot id in its fixture proc root the aggregator confirms it and verifies the step once the
/// incident resolves; with the same boot id it never counts the reboot as done.
/// </summary>
public sealed class RebootEndToEndTests : IDisposable
{
    private const string BootBefore = "7d1e5a10-0b0b-4c1c-9d2d-000000000001";
    private const string BootAfter = "7d1e5a10-0b0b-4c1c-9d2d-000000000002";
    private const string Node = "reboot-1";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly TempDirectory _bin = new();
    private readonly TempDirectory _mount = new();
    private readonly TempDirectory _state = new();
    private readonly FixtureProcRoot _procRoot = new(BootBefore);
    private readonly HttpClient _http = new(new SocketsHttpHandler()) { Timeout = TimeSpan.FromSeconds(10) };

    public RebootEndToEndTests()
    {
        Double("systemctl", """
            case "$1" in
              reboot) echo "rebooting (test double)" >&2; exit 0 ;;
              *) echo "System has not been booted with systemd as init system (PID 1). Can't operate." >&2; exit 1 ;;
            esac
            """);
        Double("umount", "exit 0");

        // An NFS mount of the node as the kernel lists it; its mount point is a real (local) directory so the NFS
        // probe finds it healthy and the only incident is the kubelet's.
        Directory.CreateDirectory(Path.Combine(_procRoot.Path, "self"));
        File.WriteAllText(Path.Combine(_procRoot.Path, "self/mountinfo"), $"""
            22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/mmcblk0p2 rw
            312 22 0:53 / {_mount.Path} rw,relatime shared:160 - nfs 127.0.0.1:/volume1/app rw,vers=3,rsize=32768,wsize=32768,namlen=255,hard,noac,proto=tcp,timeo=600,retrans=2,sec=sys,addr=127.0.0.1

            """);
    }

    public void Dispose()
    {
        _http.Dispose();
        _procRoot.Dispose();
        _mount.Dispose();
        _state.Dispose();
        _bin.Dispose();
    }

    [Fact]
    public async Task RebootStep_UnmountsNfsLazilyThenForcesTheReboot_DoneOnlyWhenTheNodeReturnsWithANewBootId()
    {
        using var aggregator = Aggregator(rebootVerificationWindow: "00:01:30");
        await aggregator.StartAsync();
        var port = FreePort.Next();
        FixedPortHealthzServer? healthz = new(port);
        var agent = Agent(aggregator, port);
        try
        {
            await ConnectedAsync(aggregator, agent, BootBefore);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            healthz.Dispose();
            healthz = null;

            // (a) umount -l of the NFS mount, then the forced reboot, in that order.
            await Eventually.WaitAsync(() => Task.FromResult(Calls()), c => c.Any(l => l.StartsWith("systemctl reboot", StringComparison.Ordinal)), Patience, "the agent forcing the reboot");
            var rebootCalled = clock.Elapsed;
            Assert.Equal([$"umount -l {_mount.Path}", "systemctl reboot --force"], Calls().Where(l => !l.StartsWith("systemctl show", StringComparison.Ordinal)));
            var result = (await Eventually.WaitAsync(() => AuditAsync(aggregator), a => a.Any(e => e.Event == "result"), Patience, "the reboot's result")).Single(e => e.Event == "result");
            Assert.Equal(("succeeded", "reboot"), (result.Outcome, result.Action));
            Assert.Contains("lazily unmounted 1 of 1 NFS mount(s)", result.Detail, StringComparison.Ordinal);

            // (b) The node "reboots": the agent goes away and comes back with a new boot id; only then is it confirmed.
            await AgentProcess.StopAsync(agent);
            agent.Dispose();
            await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
            Assert.DoesNotContain(await AuditAsync(aggregator), e => e.Event is "reboot_confirmed" or "verified");
            _procRoot.SetBootId(BootAfter);
            var restartedAt = clock.Elapsed;
            agent = Agent(aggregator, port);
            await ConnectedAsync(aggregator, agent, BootAfter);
            var confirmed = await Eventually.WaitAsync(() => AuditAsync(aggregator), a => a.Any(e => e.Event == "reboot_confirmed"), Patience, "the reboot confirmed by the new boot id");
            Assert.DoesNotContain(confirmed, e => e.Event == "verified");
            Assert.Contains(BootAfter, confirmed.Single(e => e.Event == "reboot_confirmed").Detail, StringComparison.Ordinal);

            TestContext.Current.TestOutputHelper?.WriteLine($"reboot_confirmed seen after {(clock.Elapsed - restartedAt).TotalSeconds:F1} s");

            // Back with a new boot id, but the kubelet is still down: not verified yet.
            await Task.Delay(TimeSpan.FromSeconds(6), TestContext.Current.CancellationToken);
            Assert.DoesNotContain(await AuditAsync(aggregator), e => e.Event == "verified");
            Assert.Equal("firing", (await aggregator.IncidentsAsync($"?kind=KubeletDown&node={Node}")).Single().State);

            var healthzBack = clock.Elapsed;
            healthz = new FixedPortHealthzServer(port);
            var audit = await Eventually.WaitAsync(() => AuditAsync(aggregator), a => a.Any(e => e.Event == "verified"), Patience, "the reboot verified");
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"healthz down → umount + systemctl reboot called: {rebootCalled.TotalSeconds:F1} s; healthz back → verified: {(clock.Elapsed - healthzBack).TotalSeconds:F1} s (For 1 s, Settle 1 s, ResolveAfter 15 s)");

            foreach (var e in audit.OrderBy(e => e.Seq))
            {
                TestContext.Current.TestOutputHelper?.WriteLine($"audit {e.At:HH:mm:ss.fff} {e.Event} {e.IncidentId} {e.Outcome} {e.Detail}");
            }

            foreach (var i in await aggregator.IncidentsAsync($"?node={Node}"))
            {
                TestContext.Current.TestOutputHelper?.WriteLine($"incident {i.Id} {i.Kind} {i.State} started {i.StartedAt:HH:mm:ss.fff} firing {i.FiringAt:HH:mm:ss.fff} resolved {i.ResolvedAt:HH:mm:ss.fff}");
            }

            var plan = result.PlanId!;
            var trail = audit.Where(e => e.PlanId == plan).OrderBy(e => e.Seq).ToArray();
            Assert.Equal(["planned", "dispatched", "result", "reboot_confirmed", "verified"], trail.Select(e => e.Event));
            Assert.All(trail, e => Assert.Equal(("KubeletDown", Node, "reboot"), (e.Kind, e.Node, e.Action)));
            Assert.Equal("succeeded", trail[^1].Outcome);
            Assert.Equal(1, await aggregator.MetricAsync("bramble_remediations_total{action=\"reboot\",outcome=\"succeeded\"}"));
            Assert.Null(await aggregator.MetricAsync("bramble_remediations_total{action=\"reboot\",outcome=\"failed\"}"));
            Assert.Single(Calls(), l => l.StartsWith("systemctl reboot", StringComparison.Ordinal));
        }
        finally
        {
            healthz?.Dispose();
            agent.Dispose();
        }
    }

    [Fact]
    public async Task RebootStep_NodeReturnsWithTheSameBootId_VerifiedFailedAfterTheRebootWindow_EvenThoughTheIncidentResolved()
    {
        using var aggregator = Aggregator(rebootVerificationWindow: "00:00:45");
        await aggregator.StartAsync();
        var port = FreePort.Next();
        FixedPortHealthzServer? healthz = new(port);
        var agent = Agent(aggregator, port);
        try
        {
            await ConnectedAsync(aggregator, agent, BootBefore);
            healthz.Dispose();
            healthz = null;
            await Eventually.WaitAsync(() => AuditAsync(aggregator), a => a.Any(e => e.Event == "result"), Patience, "the reboot's result");

            // Only the agent restarted: the kernel (boot id) is the same one.
            await AgentProcess.StopAsync(agent);
            agent.Dispose();
            agent = Agent(aggregator, port);
            await ConnectedAsync(aggregator, agent, BootBefore);
            healthz = new FixedPortHealthzServer(port);
            var resolved = await Eventually.WaitAsync(() => aggregator.IncidentsAsync($"?kind=KubeletDown&node={Node}"), i => i.Count > 0 && i.All(x => x.State == "resolved"), Patience, "the incident resolving");
            Assert.DoesNotContain(await AuditAsync(aggregator), e => e.Event == "verified");

            var audit = await Eventually.WaitAsync(() => AuditAsync(aggregator), a => a.Any(e => e.Event == "verified"), Patience, "verification failing at the end of the window");

            var verified = audit.Single(e => e.Event == "verified");
            Assert.Equal("failed", verified.Outcome);
            Assert.Equal("the node did not come back with a new boot id within the verification window", verified.Detail);
            Assert.DoesNotContain(audit, e => e.Event == "reboot_confirmed");
            Assert.True(verified.At > resolved[0].ResolvedAt, $"verified at {verified.At:O}, incident resolved at {resolved[0].ResolvedAt:O}");
            Assert.Equal(1, await aggregator.MetricAsync("bramble_remediations_total{action=\"reboot\",outcome=\"failed\"}"));
            Assert.Null(await aggregator.MetricAsync("bramble_remediations_total{action=\"reboot\",outcome=\"succeeded\"}"));
        }
        finally
        {
            healthz?.Dispose();
            agent.Dispose();
        }
    }

    private static AggregatorProcess Aggregator(string rebootVerificationWindow) => new(null,
    [
        "--Rules:EvaluationInterval=00:00:00.2",
        "--Rules:WarmUp=00:00:00",
        "--Rules:KubeletDown:For=00:00:01",
        // Long enough to see, for 6 s after reboot_confirmed, that a confirmed reboot alone is not verification. Observed
        // and not fixed here (aggregator side): after the new boot id the KubeletDown finding disappears although the new
        // agent reports healthz refused, so the incident resolves ResolveAfter later whether or not the stand-in is back.
        "--Rules:KubeletDown:ResolveAfter=00:00:15",
        // One node is all of this cluster: the unhealthy-share guard would refuse everything.
        "--Remediation:MaxUnhealthyShare=1",
        "--Remediation:Settle=00:00:01",
        "--Remediation:Mode=Auto",
        "--Remediation:RebootEnabled=true",
        $"--Remediation:RebootVerificationWindow={rebootVerificationWindow}",
        "--Remediation:Ladders:KubeletDown:0:Action=Reboot",
    ]);

    private ManagedProcess Agent(AggregatorProcess aggregator, int healthzPort) =>
        AgentProcess.Start(Node, aggregator.GrpcUrl,
            [
                $"--Agent:ProcRoot={_procRoot.Path}",
                $"--Kubelet:HealthzUrl=http://127.0.0.1:{healthzPort.ToString(CultureInfo.InvariantCulture)}/healthz",
                "--Kubelet:Timeout=00:00:00.5",
                "--Agent:ProbeInterval=00:00:01",
                "--Agent:ReportInterval=00:00:01",
                "--Nfs:RpcPing=false",
                "--Remediation:Reboot=true",
                $"--Remediation:StateDirectory={_state.Path}",
            ],
            new Dictionary<string, string> { ["PATH"] = $"{_bin.Path}:{Environment.GetEnvironmentVariable("PATH")}" });

    private static async Task ConnectedAsync(AggregatorProcess aggregator, ManagedProcess agent, string bootId)
    {
        await AgentProcess.WaitConnectedAsync(agent);
        await Eventually.WaitAsync(() => aggregator.NodeAsync(Node), n => n is { LastSeq: >= 2 } && n.BootId == bootId, Patience, $"reports of boot {bootId}");
    }

    private void Double(string name, string body)
    {
        var path = Path.Combine(_bin.Path, name);
        File.WriteAllText(path, $"#!/bin/sh\nprintf '%s\\n' \"{name} $*\" >> \"$(dirname \"$0\")/calls.log\"\n{body}\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private List<string> Calls()
    {
        var log = Path.Combine(_bin.Path, "calls.log");
        return File.Exists(log) ? [.. File.ReadAllLines(log)] : [];
    }

    private async Task<IReadOnlyList<AuditRow>> AuditAsync(AggregatorProcess aggregator) =>
        await _http.GetFromJsonAsync<AuditRow[]>($"{aggregator.HttpUrl}/api/v1/audit", Json) ?? [];

    private sealed record AuditRow(long Seq, DateTimeOffset At, string Event, string? PlanId, string IncidentId, string Kind, string? Node, string? Action,
        string? Outcome, string Detail);
}
