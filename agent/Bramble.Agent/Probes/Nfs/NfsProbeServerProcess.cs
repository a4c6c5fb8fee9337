using System.Diagnostics;
using System.Text.Json;
using Bramble.Agent.Probes.Isolation;

namespace Bramble.Agent.Probes.Nfs;

/// <summary>
/// One long-lived NFS probe child process (<see cref="NfsProbeServerProgram"/>): its stdin (requests), the thread that
/// reads its stdout (replies), and the checks sent to it. All state is guarded by the launcher's lock. Reading its
/// stdout is a blocking read on a thread of its own, which ends only with the process: one thread per child process,
/// and those are bounded (see <see cref="SharedNfsProbeChildLauncher"/>).
/// </summary>
internal sealed class NfsProbeServerProcess
{
    private readonly Process _process;
    private readonly StreamWriter _input;

    public NfsProbeServerProcess(Process process)
    {
        _process = process;
        _input = process.StandardInput;
        _input.AutoFlush = true;
        Pid = process.Id;
    }

    public int Pid { get; }

    /// <summary>Checks sent and not yet disposed by their owners, by id.</summary>
    public Dictionary<long, NfsProbeServerCheck> Checks { get; } = [];

    /// <summary>A check outlasted its deadline here: no new check is sent, and the process is killed once idle.</summary>
    public bool Retired { get; set; }

    public bool Killed { get; private set; }

    /// <summary>Its stdout ended and it was reaped (or gave up waiting for): every check in it is finished.</summary>
    public bool Ended { get; set; }

    /// <summary>The exit code once <see cref="Ended"/>; -1 before, or when it could not be had.</summary>
    public int ExitCode { get; private set; } = -1;

    /// <summary>Starts the thread that turns reply lines into check outcomes, until the process is gone.</summary>
    public void StartReading(Action<NfsProbeServerReply> onReply, Action onEnded)
    {
        var thread = new Thread(() => Read(onReply, onEnded)) { IsBackground = true, Name = "nfs-probe-child-reader" };
        thread.Start();
    }

    /// <summary>Sends one request line; false when the process no longer reads (it is ending; its reader will say so).</summary>
    public bool Send(NfsProbeServerRequest request)
    {
        try
        {
            _input.WriteLine(JsonSerializer.Serialize(request, ProbeChildJsonContext.Default.NfsProbeServerRequest));
            return true;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>SIGKILL, once, without waiting: a process with a thread stuck in the kernel stays until the file system answers.</summary>
    public void Kill()
    {
        if (Killed)
        {
            return;
        }

        Killed = true;
        try
        {
            _process.Kill(entireProcessTree: false);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }

        try
        {
            _input.Dispose();
        }
        catch (IOException)
        {
            // The pipe is broken: the process is gone already.
        }
    }

    private void Read(Action<NfsProbeServerReply> onReply, Action onEnded)
    {
        try
        {
            while (_process.StandardOutput.ReadLine() is { } line)
            {
                NfsProbeServerReply? reply;
                try
                {
                    reply = JsonSerializer.Deserialize(line, ProbeChildJsonContext.Default.NfsProbeServerReply);
                }
                catch (JsonException)
                {
                    continue;
                }

                if (reply is not null)
                {
                    onReply(reply);
                }
            }
        }
        catch (IOException)
        {
            // The pipe broke: the process is gone.
        }

        // stdout's end comes when the last thread of the process exits, so this wait is short; bounded all the same.
        if (_process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            ExitCode = _process.ExitCode;
        }

        onEnded();
        _process.Dispose();
    }
}
