using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Reliability;

/// <summary>
/// Issue 13, "clock", with real processes under libfaketime (see <see cref="FakeClock"/>): the aggregator's or an
/// agent's wall clock steps an hour while an incident waits for its For or its ResolveAfter, or while a remediation is
/// in its cooldown. Every duration here is measured by the test on its own monotonic clock (Stopwatch), the one the
/// aggregator must use too; the aggregator's wall-clock times are not looked at.
/// </summary>
public sealed class ClockStepLifecycleTests : IDisposable
{
    private static readonly TimeSpan For = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan ResolveAfter = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Cooldown = TimeSpan.FromSeconds(40);
    // Lateness allowed on a loaded 2-core machine (probe 1 s, report 1 s, pass 0.5 s, poll 0.25 s, and scheduling).
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(30);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly TempDirectory _bin = new();
    private readonly TempDirectory _state = new();

    public ClockStepLifecycleTests()
    {
        // A systemctl whose restarts always fail: the ladder's second step (the same restart) then waits for the cooldown.
        var systemctl = Path.Combine(_bin.Path, "systemctl");
        File.WriteAllText(systemctl, """
            #!/bin/sh
            printf '%s\n' "systemctl $*" >> "$(dirname "$0")/calls.log"
            case "$1" in
              restart) echo "Job for $2 failed" >&2; exit 1 ;;
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
        _bin.Dispose();
        _state.Dispose();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    public async Task AggregatorClockStepsAnHour_DuringForAndDuringResolveAfter_KubeletDownFiresAndResolvesOnTheMonotonicClock(int hours)
    {
        Assert.SkipWhen(FakeClock.SkipReason.Length > 0, FakeClock.SkipReason);
        using var clock = new FakeClock();
        using var aggregator = Aggregator(clock, "--Remediation:Mode=Off");
        await aggregator.StartAsync();
        var port = FreePort.Next();
        FixedPortHealthzServer? healthz = new(port);
        using var agent = Agent(aggregator, port);
        try
        {
            await ConnectedAsync(aggregator);
            var watch = Stopwatch.StartNew();
            healthz.Dispose();
            healthz = null;
            var faultAt = watch.Elapsed;

            var pending = await UntilAsync(aggregator, watch, i => i.State == "pending", "KubeletDown pending");
            clock.Offset(TimeSpan.FromHours(hours));
            var stepAt = watch.Elapsed;
            var firing = await UntilAsync(aggregator, watch, i => i.Id == pending.Incident.Id && i.State == "firing", "KubeletDown firing");
            Log($"step {hours:+0;-0} h: fault {faultAt.TotalSeconds:F1} s, pending seen {pending.At.TotalSeconds:F1} s, step {stepAt.TotalSeconds:F1} s, firing seen {firing.At.TotalSeconds:F1} s (For {For.TotalSeconds} s)");
            Assert.True(stepAt < faultAt + For, "the step came after For had passed: the test proves nothing on this machine; rerun");
            Assert.InRange(firing.At - faultAt, For, For + Slack);

            healthz = new FixedPortHealthzServer(port);
            var healedAt = watch.Elapsed;
            // Once the healthy report is in, the incident is inside its ResolveAfter: step the clock again (±2 h in all).
            await Task.Delay(TimeSpan.FromSeconds(4), TestContext.Current.CancellationToken);
            clock.Offset(TimeSpan.FromHours(2 * hours));
            var secondStepAt = watch.Elapsed;
            var resolved = await UntilAsync(aggregator, watch, i => i.Id == pending.Incident.Id && i.State == "resolved", "KubeletDown resolved");
            Log($"healed {healedAt.TotalSeconds:F1} s, step to {2 * hours:+0;-0} h at {secondStepAt.TotalSeconds:F1} s, resolved seen {resolved.At.TotalSeconds:F1} s (ResolveAfter {ResolveAfter.TotalSeconds} s)");
            // The finding was last seen no earlier than one pass before the heal.
            Assert.InRange(resolved.At - healedAt, ResolveAfter - TimeSpan.FromSeconds(1), ResolveAfter + Slack);
        }
        finally
        {
            healthz?.Dispose();
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    public async Task AggregatorClockStepsAnHour_DuringACooldown_TheSameRestartWaitsExactlyTheCooldownOnTheMonotonicClock(int hours)
    {
        Assert.SkipWhen(FakeClock.SkipReason.Length > 0, FakeClock.SkipReason);
        using var clock = new FakeClock();
        using var aggregator = Aggregator(clock, "--Remediation:Mode=Auto", $"--Remediation:Cooldown={Cooldown:c}");
        await aggregator.StartAsync();
        var port = FreePort.Next();
        FixedPortHealthzServer? healthz = new(port);
        using var agent = Agent(aggregator, port);
        try
        {
            await ConnectedAsync(aggregator);
            var watch = Stopwatch.StartNew();
            healthz.Dispose();
            healthz = null;

            await UntilAsync(watch, () => Task.FromResult(Restarts().Count >= 1), "the first systemctl restart");
            var firstAt = watch.Elapsed;
            await UntilAsync(watch, () => AuditContainsAsync(aggregator, "\"cooldown\""), "the second step refused for the cooldown");
            clock.Offset(TimeSpan.FromHours(hours));
            var stepAt = watch.Elapsed;
            await UntilAsync(watch, () => Task.FromResult(Restarts().Count >= 2), "the second systemctl restart");
            var secondAt = watch.Elapsed;
            // The cooldown's real length from the aggregator's own audit: the first dispatch was stamped before the step
            // (offset 0), the second after it (offset ±1 h); both are whole milliseconds.
            var audit = await aggregator.GetTextAsync("/api/v1/audit?limit=100");
            var dispatched = JsonSerializer.Deserialize<AuditRow[]>(audit, Json)!.Where(a => a.Event == "dispatched").OrderBy(a => a.Seq).ToArray();
            Assert.Equal(2, dispatched.Length);
            var realGap = dispatched[1].At - TimeSpan.FromHours(hours) - dispatched[0].At;
            Log($"step {hours:+0;-0} h: first restart {firstAt.TotalSeconds:F1} s, step {stepAt.TotalSeconds:F1} s, second restart {secondAt.TotalSeconds:F1} s; dispatches {realGap.TotalSeconds:F3} s apart in real time (cooldown {Cooldown.TotalSeconds} s)");

            Assert.True(stepAt < firstAt + Cooldown, "the step came after the cooldown had passed: the test proves nothing on this machine; rerun");
            Assert.Contains(JsonSerializer.Deserialize<AuditRow[]>(audit, Json)!, a => a.Event == "suppressed" && a.Outcome == "cooldown");
            Assert.InRange(realGap, Cooldown - TimeSpan.FromMilliseconds(2), Cooldown + Slack);
            Assert.Equal(2, Restarts().Count);
        }
        finally
        {
            healthz?.Dispose();
        }
    }

    [Fact]
    public async Task AgentClockStepsAnHourForwardAndBack_FiringIncidentStaysFiring_NothingElseOpens_ThenItResolves()
    {
        Assert.SkipWhen(FakeClock.SkipReason.Length > 0, FakeClock.SkipReason);
        using var clock = new FakeClock();
        using var aggregator = Aggregator(null, "--Remediation:Mode=Off");
        await aggregator.StartAsync();
        var port = FreePort.Next();
        FixedPortHealthzServer? healthz = new(port);
        using var agent = Agent(aggregator, port, clock.Environment);
        try
        {
            await ConnectedAsync(aggregator);
            var watch = Stopwatch.StartNew();
            healthz.Dispose();
            healthz = null;
            var firing = await UntilAsync(aggregator, watch, i => i.State == "firing", "KubeletDown firing");
            // Taken once it fires, before any step: a pending KubeletDown that flapped shut on the way (seen once under
            // load, with the agent's clock not yet moved) is not the steps' doing.
            var baseline = (await aggregator.IncidentsAsync("?limit=1000")).Select(i => i.Id).ToHashSet();

            Log($"firing {firing.Incident.Id} seen at {TimeProvider.System.GetUtcNow():O}");
            foreach (var offset in new[] { TimeSpan.FromHours(1), TimeSpan.Zero, TimeSpan.FromHours(-1), TimeSpan.Zero })
            {
                Log($"agent clock {offset} at {TimeProvider.System.GetUtcNow():O}");
                clock.Offset(offset);
                await Task.Delay(TimeSpan.FromSeconds(6), TestContext.Current.CancellationToken);
                var now = await aggregator.IncidentsAsync("?limit=1000");
                Assert.Equal("firing", now.Single(i => i.Id == firing.Incident.Id).State);
            }

            var incidents = await aggregator.IncidentsAsync("?limit=1000");
            var appeared = incidents.Where(i => !baseline.Contains(i.Id) && i.Id != firing.Incident.Id).ToList();
            Assert.True(appeared.Count == 0, "incidents opened by the agent's clock steps: " + string.Join("; ", appeared.Select(i => $"{i.Kind} {i.State} {i.Summary} started {i.StartedAt:O} firing {i.FiringAt:O} resolved {i.ResolvedAt:O}"))
                + "\n" + string.Join("\n", aggregator.Process!.Output.Split('\n').Where(l => l.Contains("Incident ", StringComparison.Ordinal))));

            healthz = new FixedPortHealthzServer(port);
            var healedAt = watch.Elapsed;
            var resolved = await UntilAsync(aggregator, watch, i => i.Id == firing.Incident.Id && i.State == "resolved", "KubeletDown resolved");
            Log($"agent clock +1 h, 0, -1 h, 0 (6 s each) while KubeletDown fired: still firing after each; healed {healedAt.TotalSeconds:F1} s, resolved {resolved.At.TotalSeconds:F1} s");
            Assert.InRange(resolved.At - healedAt, ResolveAfter - TimeSpan.FromSeconds(1), ResolveAfter + Slack);
        }
        finally
        {
            healthz?.Dispose();
        }
    }

    private static AggregatorProcess Aggregator(FakeClock? clock, params string[] extra) => new(null,
    [
        "--Rules:EvaluationInterval=00:00:00.5",
        "--Rules:WarmUp=00:00:00",
        $"--Rules:KubeletDown:For={For:c}",
        $"--Rules:KubeletDown:ResolveAfter={ResolveAfter:c}",
        "--Remediation:MaxUnhealthyShare=1",
        "--Remediation:Settle=00:00:00",
        .. extra,
    ])
    {
        Environment = clock?.Environment,
    };

    private ManagedProcess Agent(AggregatorProcess aggregator, int healthzPort, IDictionary<string, string>? environment = null)
    {
        var variables = new Dictionary<string, string>(environment ?? new Dictionary<string, string>())
        {
            ["PATH"] = $"{_bin.Path}:{System.Environment.GetEnvironmentVariable("PATH")}",
        };
        return AgentProcess.Start("kube-1", aggregator.GrpcUrl,
            [
                $"--Kubelet:HealthzUrl=http://127.0.0.1:{healthzPort.ToString(CultureInfo.InvariantCulture)}/healthz",
                "--Kubelet:Timeout=00:00:00.5",
                "--Agent:ProbeInterval=00:00:01",
                "--Agent:ReportInterval=00:00:01",
                "--Remediation:Units:0=kubelet",
                $"--Remediation:StateDirectory={_state.Path}",
            ],
            variables);
    }

    private static async Task ConnectedAsync(AggregatorProcess aggregator) =>
        await Eventually.WaitAsync(() => Tolerant(aggregator.NodesAsync()), n => n?.SingleOrDefault(x => x.Name == "kube-1") is { LastSeq: >= 3 }, TimeSpan.FromSeconds(90), "reports");

    /// <summary>An API call that timed out on a loaded machine counts as "not yet" (the callers' deadlines bound the waiting).</summary>
    private static async Task<T?> Tolerant<T>(Task<T> call)
        where T : class
    {
        try
        {
            return await call;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>Polls every 250 ms (at most 3 minutes) for the KubeletDown incident matching; returns it and when it was seen.</summary>
    private static async Task<(IncidentStatus Incident, TimeSpan At)> UntilAsync(AggregatorProcess aggregator, Stopwatch watch, Func<IncidentStatus, bool> match, string what)
    {
        var deadline = watch.Elapsed + TimeSpan.FromMinutes(3);
        while (watch.Elapsed < deadline)
        {
            var incidents = await Tolerant(aggregator.IncidentsAsync("?limit=1000")) ?? [];
            if (incidents.FirstOrDefault(i => i.Kind == "KubeletDown" && match(i)) is { } found)
            {
                return (found, watch.Elapsed);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), TestContext.Current.CancellationToken);
        }

        throw new TimeoutException($"not within 3 minutes: {what}");
    }

    private static async Task UntilAsync(Stopwatch watch, Func<Task<bool>> done, string what)
    {
        var deadline = watch.Elapsed + TimeSpan.FromMinutes(3);
        while (!await done())
        {
            Assert.True(watch.Elapsed < deadline, $"not within 3 minutes: {what}");
            await Task.Delay(TimeSpan.FromMilliseconds(250), TestContext.Current.CancellationToken);
        }
    }

    private static async Task<bool> AuditContainsAsync(AggregatorProcess aggregator, string text) =>
        (await Tolerant(aggregator.GetTextAsync("/api/v1/audit")) ?? string.Empty).Contains(text, StringComparison.Ordinal);

    private List<string> Restarts()
    {
        var log = Path.Combine(_bin.Path, "calls.log");
        return File.Exists(log) ? [.. File.ReadAllLines(log).Where(l => l.StartsWith("systemctl restart ", StringComparison.Ordinal))] : [];
    }

    private static void Log(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);

    private sealed record AuditRow(long Seq, DateTimeOffset At, string Event, string? Outcome);
}
