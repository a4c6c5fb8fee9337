using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Bramble.Agent.Probes.Isolation;

namespace Bramble.Agent.Probes.Nfs;

/// <summary>
/// One long-lived NFS probe child process (<see cref="NfsProbeServerProgram"/>), the Unix socket it connects back to
/// (requests one way, replies the other), and the checks sent to it. The socket is read asynchronously (epoll: no
/// thread waits on it), so a child stuck in the kernel holds no thread of the agent; its stdin, stdout and stderr are
/// /dev/null. Requests sent before it connects wait in a queue. Check state is guarded by the launcher's lock.
/// </summary>
internal sealed class NfsProbeServerProcess
{
    private static readonly TimeSpan ReapLimit = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly Socket _listener;
    private readonly string _socketPath;
    private readonly Lock _sendGate = new();
    private readonly List<string> _queued = [];
    private readonly Task _exited;
    private Socket? _connection;
    private bool _closed;

    public NfsProbeServerProcess(Process process, Socket listener, string socketPath)
    {
        _process = process;
        _listener = listener;
        _socketPath = socketPath;
        Pid = process.Id;
        // Completed from the runtime's SIGCHLD handling: no thread blocks in waitpid.
        _exited = process.WaitForExitAsync();
    }

    public int Pid { get; }

    /// <summary>Checks sent and not yet disposed by their owners, by id.</summary>
    public Dictionary<long, NfsProbeServerCheck> Checks { get; } = [];

    /// <summary>A check outlasted its deadline here: no new check is sent, and the process is killed once idle.</summary>
    public bool Retired { get; set; }

    public bool Killed { get; private set; }

    /// <summary>It is gone (reaped) and its replies are read: every check in it is finished.</summary>
    public bool Ended { get; set; }

    /// <summary>The exit code once <see cref="Ended"/>; -1 before, or when it could not be had.</summary>
    public int ExitCode { get; private set; } = -1;

    /// <summary>Waits for the child's connection, then turns reply lines into outcomes until the process is gone.</summary>
    public void StartReading(Action<NfsProbeServerReply> onReply, Action onEnded) => _ = ReadAsync(onReply, onEnded);

    /// <summary>Sends (or, before the child connected, queues) one request line.</summary>
    public void Send(NfsProbeServerRequest request)
    {
        var line = JsonSerializer.Serialize(request, ProbeChildJsonContext.Default.NfsProbeServerRequest);
        lock (_sendGate)
        {
            if (_connection is null)
            {
                _queued.Add(line);
                return;
            }

            Write(line);
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
    }

    private async Task ReadAsync(Action<NfsProbeServerReply> onReply, Action onEnded)
    {
        try
        {
            var accept = _listener.AcceptAsync();
            // Gone before it connected (killed at its start limit, or crashed): the accept then fails on the closed listener.
            _ = accept.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            if (await Task.WhenAny(accept, _exited).ConfigureAwait(false) == accept)
            {
                var connection = await accept.ConfigureAwait(false);
                using var stream = new NetworkStream(connection, ownsSocket: true);
                Connected(connection);
                using var reader = new StreamReader(stream);
                while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
                {
                    if (Parse(line) is { } reply)
                    {
                        onReply(reply);
                    }
                }
            }
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException)
        {
            // The connection broke: the process is gone, or going.
        }
        finally
        {
            Close();
        }

        // The socket's end comes when the last thread of the process exits, so this wait is short; bounded all the same.
        try
        {
            await _exited.WaitAsync(ReapLimit).ConfigureAwait(false);
            ExitCode = _process.ExitCode;
        }
        catch (TimeoutException)
        {
            // Reported as ended all the same: nothing more will come from it.
        }

        onEnded();
        _process.Dispose();
    }

    private void Connected(Socket connection)
    {
        lock (_sendGate)
        {
            _connection = connection;
            foreach (var line in _queued)
            {
                Write(line);
            }

            _queued.Clear();
        }
    }

    // Under the send lock. A failed write means the process is ending: its reader finishes the check.
    private void Write(string line)
    {
        if (_closed)
        {
            return;
        }

        try
        {
            // A blocking send of a short line: the child's main thread reads requests all the time.
            _connection!.Send(Encoding.UTF8.GetBytes(line + "\n"));
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The reader sees the end too.
        }
    }

    private void Close()
    {
        lock (_sendGate)
        {
            _closed = true;
            _connection?.Dispose();
        }

        _listener.Dispose();
        try
        {
            File.Delete(_socketPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover socket file in the agent's own temp directory is harmless.
        }
    }

    private static NfsProbeServerReply? Parse(string line)
    {
        try
        {
            return JsonSerializer.Deserialize(line, ProbeChildJsonContext.Default.NfsProbeServerReply);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
