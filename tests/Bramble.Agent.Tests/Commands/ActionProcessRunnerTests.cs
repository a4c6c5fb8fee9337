using Bramble.Agent.Commands;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bramble.Agent.Tests.Commands;

/// <summary>The real runner on real processes (/bin/sh, sleep): exit codes, stderr, stdin, and the kill at the deadline.</summary>
public sealed class ActionProcessRunnerTests
{
    private readonly ActionProcessRunner _runner = new(TimeProvider.System, NullLogger<ActionProcessRunner>.Instance);

    [Fact]
    public async Task RunAsync_ExitingProcess_ReportsItsExitCodeAndStderrTail()
    {
        var outcome = await _runner.RunAsync(Sh("echo ignored; echo first >&2; echo second >&2; exit 3"), TestContext.Current.CancellationToken);

        Assert.Equal(ProcessEnd.Exited, outcome.End);
        Assert.Equal(3, outcome.ExitCode);
        Assert.Equal("first\nsecond", outcome.StderrTail);
    }

    [Fact]
    public async Task RunAsync_StandardInput_IsDelivered()
    {
        var outcome = await _runner.RunAsync(Sh("cat >&2", "{\"id\":\"c1\"}"), TestContext.Current.CancellationToken);

        Assert.Equal((ProcessEnd.Exited, 0, "{\"id\":\"c1\"}"), (outcome.End, outcome.ExitCode, outcome.StderrTail));
    }

    [Fact]
    public async Task RunAsync_ArgumentsAreNeverReadByAShell()
    {
        var outcome = await _runner.RunAsync(new ProcessInvocation("/bin/sh", ["-c", "printf '%s' \"$1\" >&2", "sh", "kubelet; touch /tmp/bt-pwned $(id)"]), TestContext.Current.CancellationToken);

        Assert.Equal("kubelet; touch /tmp/bt-pwned $(id)", outcome.StderrTail);
        Assert.False(File.Exists("/tmp/bt-pwned"));
    }

    [Fact]
    public async Task RunAsync_StillRunningAtTheDeadline_KillsTheWholeTree_AndReportsTimedOut()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));

        // The shell reports its background child's pid, then both wait far longer than the deadline.
        var outcome = await _runner.RunAsync(Sh("sleep 60 & echo $! >&2; sleep 60"), deadline.Token);

        Assert.Equal(ProcessEnd.TimedOut, outcome.End);
        var grandchild = int.Parse(outcome.StderrTail, System.Globalization.CultureInfo.InvariantCulture);
        for (var i = 0; i < 100 && (Alive(outcome.Pid) || Alive(grandchild)); i++)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        Assert.False(Alive(outcome.Pid), $"the shell (pid {outcome.Pid}) outlived its deadline");
        Assert.False(Alive(grandchild), $"its child (pid {grandchild}) outlived the deadline");

        // Once the killed tree is gone the next action may start.
        var next = await _runner.RunAsync(Sh("exit 0"), TestContext.Current.CancellationToken);
        Assert.Equal(ProcessEnd.Exited, next.End);
    }

    [Fact]
    public async Task RunAsync_TheProcessGetsAMinimalEnvironment_NeverTheAgentsOwn()
    {
        // A variable only this test process has, standing for a secret in the agent's environment.
        var secret = "BT_AGENT_SECRET_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(secret, "hunter2");
        try
        {
            var invocation = new ProcessInvocation("/usr/bin/env", [], null, new Dictionary<string, string> { ["BRAMBLE_COMMAND_ID"] = "rem-1" });

            var outcome = await _runner.RunAsync(new ProcessInvocation("/bin/sh", ["-c", "env >&2"], null, invocation.Environment), TestContext.Current.CancellationToken);

            var variables = outcome.StderrTail.Split('\n').Select(l => l.Split('=', 2)[0]).Where(n => n is not ("PWD" or "SHLVL" or "_")).Order(StringComparer.Ordinal);
            Assert.Equal(["BRAMBLE_COMMAND_ID", "LANG", "PATH", "SYSTEMD_COLORS", "SYSTEMD_PAGER"], variables);
            Assert.Contains("LANG=C.UTF-8", outcome.StderrTail, StringComparison.Ordinal);
            Assert.Contains($"PATH={Environment.GetEnvironmentVariable("PATH")}", outcome.StderrTail, StringComparison.Ordinal);
            Assert.DoesNotContain("hunter2", outcome.StderrTail, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(secret, null);
        }
    }

    [Fact]
    public async Task RunAsync_MissingProgram_IsNotStarted()
    {
        var outcome = await _runner.RunAsync(new ProcessInvocation("/nonexistent/bt-systemctl", ["restart", "kubelet.service"]), TestContext.Current.CancellationToken);

        Assert.Equal(ProcessEnd.NotStarted, outcome.End);
        Assert.StartsWith("cannot run /nonexistent/bt-systemctl:", outcome.Problem, StringComparison.Ordinal);
    }

    private static ProcessInvocation Sh(string script, string? stdin = null) => new("/bin/sh", ["-c", script], stdin);

    /// <summary>Running or sleeping; a zombie (killed, not yet reaped by its new parent) counts as dead.</summary>
    private static bool Alive(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return false;
        }

        var state = stat[(stat.LastIndexOf(')') + 2)..][0];
        return state is not ('Z' or 'X');
    }
}
