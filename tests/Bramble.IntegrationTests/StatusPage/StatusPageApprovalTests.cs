using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.StatusPage;

/// <summary>
/// Approval as a person does it at night on the status page: a real aggregator in approve mode, a real agent whose kubelet
/// stand-in died (KubeletDown fires, a restart plan awaits approval), a real headless Chromium driven through the DevTools
/// protocol. A wrong token is refused on the page and audits nothing; the right one approves, and the audit says so.
/// The agent's <c>systemctl</c> is a test double first on its PATH (it records calls), so nothing on this machine restarts.
/// </summary>
public sealed class StatusPageApprovalTests : IDisposable
{
    private const string Chromium = "/usr/bin/chromium";
    private const string Token = "bt-status-page-token-0123456789";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly TempDirectory _bin = new();
    private readonly HttpClient _http = new(new SocketsHttpHandler()) { Timeout = TimeSpan.FromSeconds(10) };

    public StatusPageApprovalTests()
    {
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
    }

    [Fact]
    public async Task PendingApproval_WrongTokenShowsTheProblem_RightTokenApproves_AuditRecordsIt()
    {
        Assert.SkipUnless(File.Exists(Chromium), "Chromium is not installed (Debian package chromium; ./test.sh installs it as root)");
        using var aggregator = new AggregatorProcess(null,
            "--Rules:EvaluationInterval=00:00:00.2",
            "--Rules:WarmUp=00:00:00",
            "--Rules:KubeletDown:For=00:00:01",
            "--Rules:KubeletDown:ResolveAfter=00:00:01",
            // One node is all of this cluster: the unhealthy-share guard would refuse everything.
            "--Remediation:MaxUnhealthyShare=1",
            "--Remediation:Settle=00:00:01",
            "--Remediation:VerificationWindow=00:01:00",
            "--Remediation:Mode=Approve",
            $"--Remediation:ApprovalToken={Token}");
        await aggregator.StartAsync();
        var port = FreePort.Next();
        FixedPortHealthzServer? healthz = new(port);
        using var agent = AgentProcess.Start("kube-1", aggregator.GrpcUrl,
            [
                $"--Kubelet:HealthzUrl=http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/healthz",
                "--Kubelet:Timeout=00:00:00.5",
                "--Agent:ProbeInterval=00:00:01",
                "--Agent:ReportInterval=00:00:01",
                "--Remediation:Units:0=kubelet",
            ],
            new Dictionary<string, string> { ["PATH"] = $"{_bin.Path}:{Environment.GetEnvironmentVariable("PATH")}" });
        try
        {
            await AgentProcess.WaitConnectedAsync(agent);
            await Eventually.WaitAsync(() => aggregator.NodeAsync("kube-1"), n => n is { LastSeq: >= 2 }, Patience, "reports");
            healthz.Dispose();
            healthz = null;
            var plan = (await Eventually.WaitAsync(() => PlansAsync(aggregator, "?status=awaiting_approval"), p => p.Count == 1, Patience, "a plan awaiting approval")).Single();

            await using var browser = await DevToolsBrowser.StartAsync(Chromium, 1280, 900);
            var page = await browser.OpenAsync(aggregator.HttpUrl + "/");
            var approve = $"button[data-plan=\"{plan.Id}\"][data-decision=\"approve\"]";
            await page.WaitForAsync($"document.readyState === 'complete' && document.querySelector('{approve.Replace("'", "\\'", StringComparison.Ordinal)}')", Patience, "the approve button");
            Assert.Contains("KubeletDown", await page.TextAsync("document.body.innerText"), StringComparison.Ordinal);
            // The Content-Security-Policy is in force: a script the page did not ship (no matching hash) does not run.
            var injected = await page.EvaluateAsync(
                "(() => { const s = document.createElement('script'); s.textContent = 'window.btInjected = 1'; document.body.appendChild(s); return window.btInjected === undefined; })()");
            Assert.Equal(JsonValueKind.True, injected.ValueKind);

            var folder = Directory.CreateDirectory(Path.Combine(RepoLayout.Root, "artifacts", "test-results", "screenshots")).FullName;
            var screenshot = Path.Combine(folder, "status-page-approval.png");
            await page.ScreenshotAsync(screenshot);
            var png = await File.ReadAllBytesAsync(screenshot, TestContext.Current.CancellationToken);
            Assert.True(png.Length > 10_000, $"{screenshot} is only {png.Length} bytes");
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
            TestContext.Current.TestOutputHelper?.WriteLine($"screenshot: {screenshot} ({png.Length} bytes)");

            // A wrong token: the page shows the API's problem detail, and nothing is approved.
            await page.TypeAsync("#token", Token + "-wrong");
            await page.ClickAsync(approve);
            await page.WaitForAsync("!document.getElementById('answer').hidden && document.getElementById('answer').textContent.includes('401')", Patience, "the refusal shown");
            var refusal = await page.TextAsync("document.getElementById('answer').textContent");
            Assert.Contains("a valid bearer token is required", refusal, StringComparison.Ordinal);
            Assert.DoesNotContain((await AuditAsync(aggregator)), e => e.Event == "approved");
            Assert.Equal("awaiting_approval", (await PlansAsync(aggregator)).Single(p => p.Id == plan.Id).Status);
            await page.ScreenshotAsync(Path.Combine(folder, "status-page-approval-refused.png"));

            // The page refreshes after an answer: the answer and the token survive it in sessionStorage, never in a cookie or the URL.
            await page.EvaluateAsync("window.btBeforeRefresh = true");
            await page.WaitForAsync($"window.btBeforeRefresh === undefined && document.readyState === 'complete' && document.querySelector('{approve.Replace("'", "\\'", StringComparison.Ordinal)}')", Patience, "the refresh after the answer");
            Assert.Equal(refusal, await page.TextAsync("document.getElementById('answer').textContent"));
            Assert.Equal(Token + "-wrong", await page.TextAsync("document.getElementById('token').value"));
            Assert.Equal(string.Empty, await page.TextAsync("document.cookie"));
            Assert.DoesNotContain(Token, await page.TextAsync("location.href"), StringComparison.Ordinal);
            Assert.Empty(Restarts());

            // The right token: approved, the audit records it for this plan, and the approved restart runs through the double.
            await page.TypeAsync("#token", Token);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await page.ClickAsync(approve);
            await page.WaitForAsync("document.getElementById('answer').textContent.startsWith('Approved')", Patience, "the approval shown");
            var shown = clock.Elapsed;
            var answer = await page.TextAsync("document.getElementById('answer').textContent");
            Assert.Contains(plan.Id, answer, StringComparison.Ordinal);
            var audit = await Eventually.WaitAsync(() => AuditAsync(aggregator), a => a.Any(e => e.Event == "approved"), Patience, "the approval audited");
            var audited = clock.Elapsed;
            var approved = Assert.Single(audit, e => e.Event == "approved");
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"page answers: '{refusal}', then '{answer}'; click → answer shown {shown.TotalMilliseconds:F0} ms, → approval seen in /api/v1/audit {audited.TotalMilliseconds:F0} ms");
            Assert.Equal(plan.Id, approved.PlanId);
            await Eventually.WaitAsync(() => Task.FromResult(Restarts()), r => r.Count > 0, Patience, "the approved restart");
            Assert.Equal(["systemctl restart kubelet.service"], Restarts());
        }
        finally
        {
            // Its Dispose is not idempotent: dispose only a live one.
            healthz?.Dispose();
        }
    }

    private List<string> Restarts()
    {
        var log = Path.Combine(_bin.Path, "calls.log");
        return File.Exists(log) ? [.. File.ReadAllLines(log).Where(l => l.StartsWith("systemctl restart ", StringComparison.Ordinal))] : [];
    }

    private async Task<IReadOnlyList<AuditRow>> AuditAsync(AggregatorProcess aggregator) =>
        await _http.GetFromJsonAsync<AuditRow[]>($"{aggregator.HttpUrl}/api/v1/audit", Json) ?? [];

    private async Task<IReadOnlyList<PlanRow>> PlansAsync(AggregatorProcess aggregator, string query = "") =>
        await _http.GetFromJsonAsync<PlanRow[]>($"{aggregator.HttpUrl}/api/v1/remediations{query}", Json) ?? [];

    private sealed record AuditRow(long Seq, string Event, string? PlanId, string? Outcome, string Detail);

    private sealed record PlanRow(string Id, string Status);
}
