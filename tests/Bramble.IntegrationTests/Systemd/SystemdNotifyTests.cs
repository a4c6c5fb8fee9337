using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Systemd;

/// <summary>
/// The agent (and, in its own test, the aggregator) as a Type=notify unit: READY=1 once the first connect attempt is over, WATCHDOG=1 while its main loop
/// runs, STOPPING=1 on SIGTERM. The .NET systemd integration only switches on under systemd or as PID 1, so the
/// agent runs as PID 1 of a new PID namespace (unshare, needs root).
/// </summary>
public sealed class SystemdNotifyTests
{
    [Fact]
    public async Task AgentUnderNotify_SendsReadyAfterConnecting_WatchdogWhileRunning_StoppingOnSigterm()
    {
        SkipUnlessRoot();
        using var aggregator = new AggregatorProcess();
        await aggregator.StartAsync();
        using var notify = new NotifySocket();

        using var agent = ManagedProcess.Start("agent under unshare", "unshare",
            ["--pid", "--fork", "--kill-child", "dotnet", RepoLayout.AgentDll, "--Agent:NodeName=notify-node", $"--Agent:AggregatorAddress={aggregator.GrpcUrl}",
             "--Agent:ReportInterval=00:00:00.2"],
            environment: new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Path, ["WATCHDOG_USEC"] = "400000" });

        await notify.WaitForAsync("READY=1", TimeSpan.FromSeconds(30));
        await agent.WaitForLineAsync(new System.Text.RegularExpressions.Regex("Connected to the aggregator"), TimeSpan.FromSeconds(5));
        var pings = await notify.WaitForAsync("WATCHDOG=1", TimeSpan.FromSeconds(5));
        pings.AddRange(await notify.WaitForAsync("WATCHDOG=1", TimeSpan.FromSeconds(5)));
        Assert.True(pings.Count(p => p.Contains("WATCHDOG=1", StringComparison.Ordinal)) >= 2);

        Signals.Send(ForkedChild(agent.Pid), Signals.Terminate);
        await notify.WaitForAsync("STOPPING=1", TimeSpan.FromSeconds(10));
        Assert.Equal(0, await agent.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task AgentUnderNotify_AggregatorUnreachable_StillReportsReadyAfterTheFirstAttempt()
    {
        SkipUnlessRoot();
        using var notify = new NotifySocket();
        var closedPort = FreePort.Next();

        using var agent = ManagedProcess.Start("agent under unshare", "unshare",
            ["--pid", "--fork", "--kill-child", "dotnet", RepoLayout.AgentDll, "--Agent:NodeName=lonely-node", $"--Agent:AggregatorAddress=http://127.0.0.1:{closedPort}"],
            environment: new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Path });

        await notify.WaitForAsync("READY=1", TimeSpan.FromSeconds(30));
        await agent.WaitForLineAsync(new System.Text.RegularExpressions.Regex("Cannot reach the aggregator"), TimeSpan.FromSeconds(5));
        Signals.Send(ForkedChild(agent.Pid), Signals.Terminate);
        Assert.Equal(0, await agent.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task AggregatorUnderNotify_SendsReady_WatchdogWhileEvaluating_StoppingOnSigterm()
    {
        SkipUnlessRoot();
        using var notify = new NotifySocket();
        using var data = new TempDirectory();

        using var aggregator = ManagedProcess.Start("aggregator under unshare", "unshare",
            ["--pid", "--fork", "--kill-child", "dotnet", RepoLayout.AggregatorDll, $"--Aggregator:GrpcUrl=http://127.0.0.1:{FreePort.Next()}",
             $"--Aggregator:HttpUrl=http://127.0.0.1:{FreePort.Next()}", $"--Aggregator:DataDirectory={data.Path}", "--Rules:EvaluationInterval=00:00:00.5",
             "--Aggregator:AgentAuthentication=None"],
            environment: new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Path, ["WATCHDOG_USEC"] = "400000" });

        await notify.WaitForAsync("READY=1", TimeSpan.FromSeconds(30));
        var pings = await notify.WaitForAsync("WATCHDOG=1", TimeSpan.FromSeconds(5));
        pings.AddRange(await notify.WaitForAsync("WATCHDOG=1", TimeSpan.FromSeconds(5)));
        Assert.True(pings.Count(p => p.Contains("WATCHDOG=1", StringComparison.Ordinal)) >= 2);

        Signals.Send(ForkedChild(aggregator.Pid), Signals.Terminate);
        await notify.WaitForAsync("STOPPING=1", TimeSpan.FromSeconds(10));
        Assert.Equal(0, await aggregator.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    /// <summary>unshare does not forward signals: the agent is its only child, which we signal directly.</summary>
    private static int ForkedChild(int unsharePid) =>
        int.Parse(File.ReadAllText($"/proc/{unsharePid}/task/{unsharePid}/children").Trim(), System.Globalization.CultureInfo.InvariantCulture);

    private static void SkipUnlessRoot() =>
        Assert.SkipUnless(Environment.UserName == "root", "needs root to run the agent as PID 1 of a new PID namespace (unshare --pid)");
}
