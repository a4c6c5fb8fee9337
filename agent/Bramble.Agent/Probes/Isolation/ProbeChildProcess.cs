using System.Diagnostics;
using System.Text.Json;

namespace Bramble.Agent.Probes.Isolation;

/// <summary>A probe child process, its start marker and its result file.</summary>
internal sealed class ProbeChildProcess : IProbeChild
{
    // How often the start marker is looked for: small beside any deadline, and only while the child starts.
    private static readonly TimeSpan StartPollInterval = TimeSpan.FromMilliseconds(20);

    private readonly Process _process;
    private readonly string _resultFile;
    private readonly CancellationTokenSource _disposed = new();

    public ProbeChildProcess(Process process, string resultFile, TimeProvider time)
    {
        _process = process;
        _resultFile = resultFile;
        Pid = process.Id;
        // Asynchronous: completion comes from the runtime's SIGCHLD handling, no thread blocks in waitpid.
        Exited = process.WaitForExitAsync();
        Started = WatchForStartAsync(time);
    }

    public int Pid { get; }

    public Task<bool> Started { get; }

    public Task Exited { get; }

    public int ExitCode => _process.HasExited ? _process.ExitCode : -1;

    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: false);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone: nothing to kill.
        }
    }

    public ProbeChildResult? ReadResult()
    {
        try
        {
            var json = File.ReadAllText(_resultFile);
            return JsonSerializer.Deserialize(json, ProbeChildJsonContext.Default.ProbeChildResult);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    public string? ReadText()
    {
        try
        {
            return File.ReadAllText(_resultFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        _disposed.Cancel();
        TryDelete(_resultFile);
        TryDelete(_resultFile + ".tmp");
        TryDelete(ProbeChildStartSignal.MarkerFor(_resultFile));
        _process.Dispose();
        _disposed.Dispose();
    }

    // Bounded: ends when the marker appears, the child is gone, or this is disposed (the IsolatedChild's start-up limit
    // kills a child that never says it started, so the loop cannot outlive that limit by more than one poll).
    private async Task<bool> WatchForStartAsync(TimeProvider time)
    {
        var marker = ProbeChildStartSignal.MarkerFor(_resultFile);
        var token = _disposed.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                if (File.Exists(marker))
                {
                    return true;
                }

                if (Exited.IsCompleted)
                {
                    return File.Exists(marker);
                }

                await Task.WhenAny(Exited, Task.Delay(StartPollInterval, time, token)).ConfigureAwait(false);
            }
        }
        catch (ObjectDisposedException)
        {
            // Disposed while polling.
        }

        return false;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover file in the agent's own temp directory is harmless.
        }
    }
}
