using System.Diagnostics;
using System.Text.Json;

namespace Bramble.Agent.Probes.Nfs;

/// <summary>A probe child process and its result file.</summary>
internal sealed class NfsProbeChildProcess : INfsProbeChild
{
    private readonly Process _process;
    private readonly string _resultFile;

    public NfsProbeChildProcess(Process process, string resultFile)
    {
        _process = process;
        _resultFile = resultFile;
        Pid = process.Id;
        // Asynchronous: completion comes from the runtime's SIGCHLD handling, no thread blocks in waitpid.
        Exited = process.WaitForExitAsync();
    }

    public int Pid { get; }

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

    public NfsProbeChildResult? ReadResult()
    {
        try
        {
            var json = File.ReadAllText(_resultFile);
            return JsonSerializer.Deserialize(json, NfsProbeChildJsonContext.Default.NfsProbeChildResult);
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
        TryDelete(_resultFile);
        TryDelete(_resultFile + ".tmp");
        _process.Dispose();
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover result file in the agent's own temp directory is harmless.
        }
    }
}
