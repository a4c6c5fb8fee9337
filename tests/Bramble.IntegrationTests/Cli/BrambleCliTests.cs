using System.Globalization;
using System.Text.Json;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Cli;

/// <summary>
/// The `bramble` CLI against a running aggregator on loopback: every verb as a table and as JSON, and the exit codes
/// scripts branch on (0 quiet, 1 firing, 2 usage, 3 unreachable, 4 refused). A real agent whose kubelet stand-in
/// dies makes KubeletDown fire; in Approve mode its plan waits for `bramble approve`, and the audit records it.
/// </summary>
public sealed class BrambleCliTests
{
    private const string Token = "bt-cli-approval-token-0123456789";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Verbs_QuietClusterThenFiringKubelet_TablesJsonExitCodesAndApprovalAudited()
    {
        using var aggregator = new AggregatorProcess(null,
        [
            "--Rules:EvaluationInterval=00:00:00.2",
            "--Rules:WarmUp=00:00:00",
            "--Rules:KubeletDown:For=00:00:01",
            "--Remediation:Mode=Approve",
            $"--Remediation:ApprovalToken={Token}",
            "--Remediation:MaxUnhealthyShare=1",
            "--Remediation:Settle=00:00:01",
        ]);
        await aggregator.StartAsync();
        var kubeletPort = FreePort.Next();
        var kubelet = new FixedPortHealthzServer(kubeletPort);
        // The approved restart runs a systemctl double first on the agent's PATH, never the host's systemctl.
        using var bin = new Bramble.Testing.TempDirectory();
        var calls = Path.Combine(bin.Path, "calls.log");
        var systemctl = Path.Combine(bin.Path, "systemctl");
        await File.WriteAllTextAsync(systemctl, "#!/bin/sh\nprintf '%s\\n' \"systemctl $*\" >> \"$(dirname \"$0\")/calls.log\"\nexit 0\n", TestContext.Current.CancellationToken);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(systemctl, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        using var agent = AgentProcess.Start("cli-node", aggregator.GrpcUrl,
            [
                $"--Kubelet:HealthzUrl=http://127.0.0.1:{kubeletPort.ToString(CultureInfo.InvariantCulture)}/healthz",
                "--Kubelet:Timeout=00:00:00.5",
                "--Agent:ProbeInterval=00:00:01",
                "--Agent:ReportInterval=00:00:01",
                "--Remediation:Units:0=kubelet",
            ],
            new Dictionary<string, string> { ["PATH"] = $"{bin.Path}:{Environment.GetEnvironmentVariable("PATH")}" });
        try
        {
            await AgentProcess.WaitConnectedAsync(agent);
            await Eventually.WaitAsync(() => aggregator.MetricAsync("bramble_kubelet_healthz_ok{node=\"cli-node\"}"), v => v == 1, Patience, "the kubelet seen healthy");

            // Quiet: exit 0, the node in the table, nothing firing.
            var (exit, text) = await RunAsync(aggregator, "status");
            Assert.True(exit == 0, text);
            Assert.Matches(@"(?m)^cli-node\s+yes\s", text);
            Assert.Contains("0 incidents firing", text, StringComparison.Ordinal);
            (exit, text) = await RunAsync(aggregator, "incidents");
            Assert.Equal((0, "ID  KIND  SEVERITY  STATE  SUBJECT  STARTED  SUMMARY"), (exit, text.Trim()));
        }
        finally
        {
            kubelet.Dispose();
        }

        // The kubelet dies: KubeletDown fires and its plan waits for approval.
        await Eventually.WaitAsync(() => aggregator.IncidentsAsync("?state=firing"), i => i.Any(x => x.Kind == "KubeletDown"), Patience, "KubeletDown firing");
        var (statusExit, status) = await RunAsync(aggregator, "status");
        Assert.True(statusExit == 1, status);
        Assert.Contains("FIRING critical KubeletDown cli-node", status, StringComparison.Ordinal);

        var (incidentsExit, incidents) = await RunAsync(aggregator, "incidents");
        Assert.True(incidentsExit == 1, incidents);
        Assert.Matches(@"(?m)^\S+\s+KubeletDown\s+critical\s+firing\s+cli-node\s", incidents);
        var (allExit, all) = await RunAsync(aggregator, "incidents", "--all", "--json");
        Assert.Equal(1, allExit);
        using (var json = JsonDocument.Parse(all))
        {
            Assert.Contains(json.RootElement.EnumerateArray(), i => i.GetProperty("kind").GetString() == "KubeletDown" && i.GetProperty("state").GetString() == "firing");
        }

        var (statusJsonExit, statusJson) = await RunAsync(aggregator, "status", "--json");
        Assert.Equal(1, statusJsonExit);
        using (var json = JsonDocument.Parse(statusJson))
        {
            Assert.Equal("cli-node", json.RootElement.GetProperty("nodes")[0].GetProperty("name").GetString());
        }

        var planId = await Eventually.WaitAsync(async () =>
        {
            var (_, plans) = await RunAsync(aggregator, "remediations", "--json");
            using var json = JsonDocument.Parse(plans);
            return json.RootElement.EnumerateArray().Where(p => p.GetProperty("status").GetString() == "awaiting_approval")
                .Select(p => p.GetProperty("id").GetString()).FirstOrDefault();
        }, id => id is not null, Patience, "a plan awaiting approval");
        var (plansExit, table) = await RunAsync(aggregator, "remediations");
        Assert.Equal(0, plansExit);
        Assert.Matches($@"(?m)^{planId}\s+awaiting_approval\s+KubeletDown\s+cli-node\s+restart_unit\s", table);

        // Refused: no token (usage), a wrong token, an unknown plan; then approved with the token.
        Assert.Equal(2, (await RunAsync(aggregator, "approve", planId!)).Exit);
        var (wrongExit, wrong) = await RunAsync(aggregator, "approve", planId!, "--token", "bt-not-the-token-000000000");
        Assert.True(wrongExit == 4, wrong);
        Assert.Contains("401", wrong, StringComparison.Ordinal);
        Assert.Equal(4, (await RunAsync(aggregator, "approve", "no-such-plan", "--token", Token)).Exit);
        var (approveExit, approved) = await RunAsync(aggregator, "approve", planId!, "--token", Token);
        Assert.True(approveExit == 0, approved);
        Assert.Contains($"approved {planId}: restart_unit on cli-node for KubeletDown", approved, StringComparison.Ordinal);

        var audit = await aggregator.GetTextAsync($"/api/v1/audit?plan={planId}");
        using (var json = JsonDocument.Parse(audit))
        {
            Assert.Contains(json.RootElement.EnumerateArray(), e => e.GetProperty("event").GetString() == "approved");
        }

        await Eventually.WaitAsync(() => Task.FromResult(File.Exists(calls) ? File.ReadAllText(calls) : ""),
            c => c.Contains("systemctl restart kubelet.service", StringComparison.Ordinal), Patience, "the approved restart run by the agent (double)");

        // Approving twice is refused (no longer awaiting approval).
        Assert.Equal(4, (await RunAsync(aggregator, "approve", planId!, "--token", Token)).Exit);
    }

    [Fact]
    public async Task ExitCodes_UsageAndUnreachable_AreTwoAndThree()
    {
        using var usage = ManagedProcess.StartDotnet("bramble", RepoLayout.CliDll, ["frobnicate"]);
        Assert.Equal(2, await usage.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("unknown verb frobnicate", usage.Output, StringComparison.Ordinal);

        // A free loopback port: nothing listens there.
        var closed = $"http://127.0.0.1:{FreePort.Next().ToString(CultureInfo.InvariantCulture)}";
        using var unreachable = ManagedProcess.StartDotnet("bramble", RepoLayout.CliDll, ["status", "--url", closed]);
        Assert.Equal(3, await unreachable.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("failed", unreachable.Output, StringComparison.Ordinal);
    }

    private static async Task<(int Exit, string Output)> RunAsync(AggregatorProcess aggregator, params string[] args)
    {
        using var cli = ManagedProcess.StartDotnet("bramble", RepoLayout.CliDll, [.. args, "--url", aggregator.HttpUrl]);
        var exit = await cli.WaitForExitAsync(TimeSpan.FromSeconds(60));
        await Task.Delay(100, TestContext.Current.CancellationToken); // the last output lines arrive after exit
        TestContext.Current.TestOutputHelper?.WriteLine($"$ bramble {string.Join(' ', args)}  (exit {exit})\n{cli.Output}");
        return (exit, cli.Output);
    }
}
