using System.ComponentModel;
using System.Diagnostics;
using Bramble.Agent.Linux.Systemd;

namespace Bramble.Agent.Probes.Kubelet;

/// <summary>
/// `systemctl show UNIT --property=…`, started directly (never through a shell) with a deadline. Chosen over D-Bus
/// for having no dependency and the same answer on every systemd since 235. On a machine not booted with systemd
/// (sd_booted(3): no /run/systemd/system; containers, CI) it starts nothing: systemctl could only say so, a process a
/// candidate unit every probe round.
/// </summary>
public sealed partial class SystemctlUnitStateReader : IUnitStateReader
{
    private readonly ILogger<SystemctlUnitStateReader> _logger;
    private readonly TimeProvider _time;
    private readonly string _systemctl;
    private readonly Func<bool> _systemdBooted;

    public SystemctlUnitStateReader(ILogger<SystemctlUnitStateReader> logger, TimeProvider time)
        : this(logger, time, "systemctl", static () => Directory.Exists("/run/systemd/system"))
    {
    }

    /// <summary>With another executable in place of systemctl (tests use a script that answers or hangs).</summary>
    internal SystemctlUnitStateReader(ILogger<SystemctlUnitStateReader> logger, TimeProvider time, string systemctl, Func<bool>? systemdBooted = null)
    {
        _logger = logger;
        _time = time;
        _systemctl = systemctl;
        _systemdBooted = systemdBooted ?? (static () => true);
    }

    public async Task<UnitState?> ReadAsync(string unit, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!_systemdBooted())
        {
            return null;
        }

        var start = new ProcessStartInfo(_systemctl)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var argument in new[] { "show", unit, "--property=" + UnitState.Properties, "--no-pager" })
        {
            start.ArgumentList.Add(argument);
        }

        // systemctl's own colours and pager must not depend on the agent's environment.
        start.Environment["SYSTEMD_PAGER"] = string.Empty;
        start.Environment["SYSTEMD_COLORS"] = "0";

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new Win32Exception("not started");
        }
        catch (Win32Exception e)
        {
            LogSystemctlUnavailable(_logger, _systemctl, e.Message);
            return null;
        }

        // Process.Dispose leaves redirected streams open (their pipes close only when the GC finalizes them: the agent
        // held a few hundred pipe ends between collections); they are disposed here with the process.
        using (process)
        using (var stdout = process.StandardOutput)
        using (var stderr = process.StandardError)
        {
            process.StandardInput.Close();
            using var deadline = new CancellationTokenSource(timeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
            var output = stdout.ReadToEndAsync(linked.Token);
            var error = stderr.ReadToEndAsync(linked.Token);
            try
            {
                await process.WaitForExitAsync(linked.Token);
                await Task.WhenAll(output, error);
            }
            catch (OperationCanceledException)
            {
                // Ours to end, by its own handle; then not waited on: a wedged systemctl must not hold the probe.
                TryKill(process);
                if (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }

                LogSystemctlTimedOut(_logger, unit, timeout.TotalSeconds);
                return null;
            }

            if (process.ExitCode != 0)
            {
                // "System has not been booted with systemd as init system (PID 1)": unit state unknown, not a failure.
                var message = (await error).Trim();
                LogSystemctlFailed(_logger, unit, process.ExitCode, message);
                return null;
            }

            return SystemctlShow.Parse(unit, await output);
        }
    }

    private static void TryKill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    [LoggerMessage(EventId = 901, Level = LogLevel.Debug, Message = "Unit state unknown: cannot run {Systemctl}: {Reason}")]
    private static partial void LogSystemctlUnavailable(ILogger logger, string systemctl, string reason);

    [LoggerMessage(EventId = 902, Level = LogLevel.Warning, Message = "systemctl show {Unit} did not answer within {TimeoutSeconds} s; unit state unknown")]
    private static partial void LogSystemctlTimedOut(ILogger logger, string unit, double timeoutSeconds);

    [LoggerMessage(EventId = 903, Level = LogLevel.Debug, Message = "Unit state unknown: systemctl show {Unit} exited {ExitCode}: {Error}")]
    private static partial void LogSystemctlFailed(ILogger logger, string unit, int exitCode, string error);
}
