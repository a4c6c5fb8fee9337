using System.Diagnostics;
using Bramble.Agent.Probes.Nfs;

namespace Bramble.Agent.Probes.Storage;

/// <summary>
/// Spawns the agent's own binary in its state-storage mode, as the NFS launcher does: standard streams on /dev/null
/// through a shell's exec (a stuck child must hold no pipe anyone reads), the result file in a temp directory of
/// this agent process.
/// </summary>
public sealed class StateStorageChildLauncher : IStateStorageChildLauncher, IDisposable
{
    private const string Shell = "/bin/sh";
    private const string ExecWithNullStreams = "exec \"$@\" </dev/null >/dev/null 2>&1";

    private readonly string _resultDirectory;
    private readonly string _executable;
    private readonly IReadOnlyList<string> _leadingArguments;
    private long _sequence;

    public StateStorageChildLauncher()
    {
        _resultDirectory = Directory.CreateTempSubdirectory($"bramble-agent-state-{Environment.ProcessId}-").FullName;
        (_executable, _leadingArguments) = NfsProbeChildLauncher.OwnCommandLine();
    }

    public INfsProbeChild Start(string directory)
    {
        var resultFile = Path.Combine(_resultDirectory, $"state-{Interlocked.Increment(ref _sequence)}.json");
        var info = new ProcessStartInfo(Shell) { UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(ExecWithNullStreams);
        info.ArgumentList.Add("bramble-state-probe");
        info.ArgumentList.Add(_executable);
        foreach (var argument in _leadingArguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.ArgumentList.Add(StateStorageChildProgram.PathFlag);
        info.ArgumentList.Add(directory);
        info.ArgumentList.Add(StateStorageChildProgram.ResultFileFlag);
        info.ArgumentList.Add(resultFile);

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.Start();
        return new NfsProbeChildProcess(process, resultFile);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_resultDirectory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a stuck child may still be about to write here.
        }
    }
}
