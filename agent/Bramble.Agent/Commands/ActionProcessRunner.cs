using System.ComponentModel;
using System.Diagnostics;

namespace Bramble.Agent.Commands;

/// <summary>
/// Starts action processes directly (argument vector, no shell), keeps the tail of their standard error and kills the
/// whole tree at the deadline. A killed process is never waited for: a mount or umount stuck in the kernel on a dead NFS
/// server cannot die until the server answers. While such a process is still there no new one starts, so stuck
/// children never pile up.
/// </summary>
public sealed partial class ActionProcessRunner : IActionProcessRunner
{
    private static readonly TimeSpan StderrGrace = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan KillSettle = TimeSpan.FromSeconds(1);
    private readonly TimeProvider _time;
    private readonly ILogger<ActionProcessRunner> _logger;
    private readonly Lock _gate = new();
    private readonly List<(ProcessIdentity Process, string What, Process? Handle)> _killed = [];

    public ActionProcessRunner(TimeProvider time, ILogger<ActionProcessRunner> logger)
    {
        _time = time;
        _logger = logger;
    }

    public async Task<ProcessOutcome> RunAsync(ProcessInvocation invocation, CancellationToken deadline)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        // A tree killed a moment ago takes a moment to die; one still there after that is stuck.
        var busy = StillKilled(invocation);
        for (var i = 0; busy is not null && i < 10; i++)
        {
            await Task.Delay(KillSettle / 10, _time, CancellationToken.None);
            busy = StillKilled(invocation);
        }

        if (busy is not null)
        {
            return busy;
        }

        var start = new ProcessStartInfo(invocation.FileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in invocation.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Nothing of the agent's own environment is passed on but its PATH.
        start.Environment.Clear();
        foreach (var (name, value) in ActionEnvironment.For(invocation, Environment.GetEnvironmentVariable("PATH")))
        {
            start.Environment[name] = value;
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new Win32Exception("not started");
        }
        catch (Win32Exception e)
        {
            return new ProcessOutcome(ProcessEnd.NotStarted, 0, string.Empty, 0, $"cannot run {invocation.FileName}: {e.Message}");
        }

        var tail = new StderrTail();
        var stderr = PumpAsync(process.StandardError, tail);
        _ = PumpAsync(process.StandardOutput, null);
        try
        {
            await FeedAsync(process, invocation.StandardInput, deadline);
            await process.WaitForExitAsync(deadline);
        }
        catch (OperationCanceledException)
        {
            var pid = process.Id;
            Kill(process, invocation.ToString());
            return new ProcessOutcome(ProcessEnd.TimedOut, 0, tail.Text, pid);
        }

        // A daemon it forked may keep the pipe open: take what is there shortly after the exit, and go on.
        await Task.WhenAny(stderr, Task.Delay(StderrGrace, _time, CancellationToken.None));
        var outcome = ProcessOutcome.Exited(process.ExitCode, tail.Text, process.Id);
        process.Dispose();
        return outcome;
    }

    private ProcessOutcome? StillKilled(ProcessInvocation invocation)
    {
        lock (_gate)
        {
            _killed.RemoveAll(k => Gone(k.Process, k.What, k.Handle));
            if (_killed.Count == 0)
            {
                return null;
            }

            var (stuck, what, _) = _killed[0];
            return new ProcessOutcome(ProcessEnd.Busy, 0, string.Empty, stuck.Pid,
                $"a process of '{what}' (pid {stuck.Pid}) was killed at its deadline and is still there (stuck in the kernel); not starting '{invocation}'");
        }
    }

    private static async Task FeedAsync(Process process, string? input, CancellationToken deadline)
    {
        try
        {
            if (input is not null)
            {
                await process.StandardInput.WriteAsync(input.AsMemory(), deadline);
            }

            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // It exited or closed its standard input without reading: its exit code tells the rest.
        }
    }

    private static async Task PumpAsync(StreamReader reader, StderrTail? tail)
    {
        var buffer = new char[1024];
        try
        {
            int read;
            while ((read = await reader.ReadAsync(buffer)) > 0)
            {
                tail?.Append(buffer.AsSpan(0, read));
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The pipe went away with the process.
        }
    }

    private void Kill(Process process, string what)
    {
        LogKilled(_logger, process.Id, what);

        // Taken before the kill: once the parent is gone its children belong to init and cannot be found from it. A
        // mount stuck in the kernel is typically a child (mount.nfs under mount), not the process the agent started.
        var tree = ProcessTree.Snapshot(process.Id);
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception)
        {
            // Exited on its own in the meantime.
        }

        lock (_gate)
        {
            // The handle of the process it started is kept (not waited on) until it is gone, so the runtime reaps it.
            _killed.AddRange(tree.Select(p => (p, what, p.Pid == process.Id ? process : null)));
            if (!tree.Any(p => p.Pid == process.Id))
            {
                process.Dispose();
            }
        }
    }

    private bool Gone(ProcessIdentity process, string what, Process? handle)
    {
        if (ProcessTree.IsAlive(process))
        {
            return false;
        }

        LogKilledGone(_logger, process.Pid, what);
        handle?.Dispose();
        return true;
    }

    [LoggerMessage(EventId = 1520, Level = LogLevel.Warning, Message = "'{What}' (pid {Pid}) is still running at its deadline: killing its process tree, not waiting for it")]
    private static partial void LogKilled(ILogger logger, int pid, string what);

    [LoggerMessage(EventId = 1521, Level = LogLevel.Information, Message = "'{What}' (pid {Pid}), killed at its deadline earlier, is gone")]
    private static partial void LogKilledGone(ILogger logger, int pid, string what);
}
