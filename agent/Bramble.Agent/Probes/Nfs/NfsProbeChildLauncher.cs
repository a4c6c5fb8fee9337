using System.Diagnostics;
using System.Reflection;

namespace Bramble.Agent.Probes.Nfs;

/// <summary>
/// Spawns the agent's own binary in probe mode. Its stdin, stdout and stderr are /dev/null (through a shell's exec, so
/// the pid is the probe's own): a child stuck in the kernel holding an inherited pipe would block whoever reads it —
/// the agent, or systemd's journal stream. Result files live in a temp directory of this agent process.
/// </summary>
public sealed class NfsProbeChildLauncher : INfsProbeChildLauncher, IDisposable
{
    private const string Shell = "/bin/sh";
    private const string ExecWithNullStreams = "exec \"$@\" </dev/null >/dev/null 2>&1";

    private readonly string _resultDirectory;
    private readonly string _executable;
    private readonly IReadOnlyList<string> _leadingArguments;
    private long _sequence;

    public NfsProbeChildLauncher()
    {
        _resultDirectory = Directory.CreateTempSubdirectory($"bramble-agent-{Environment.ProcessId}-").FullName;
        (_executable, _leadingArguments) = OwnCommandLine();
    }

    /// <summary>
    /// How to start this program again. Run as "dotnet bramble-agent.dll", the process path is the dotnet host, which
    /// needs the entry assembly; run through the apphost, the process path is the program itself.
    /// </summary>
    public static (string Executable, IReadOnlyList<string> LeadingArguments) OwnCommandLine()
    {
        var processPath = Environment.ProcessPath ?? throw new InvalidOperationException("The agent cannot find its own executable");
        var isDotnetHost = string.Equals(Path.GetFileNameWithoutExtension(processPath), "dotnet", StringComparison.Ordinal);
        if (!isDotnetHost)
        {
            return (processPath, []);
        }

        var entry = Assembly.GetEntryAssembly()?.Location;
        return string.IsNullOrEmpty(entry)
            ? throw new InvalidOperationException("The agent runs under the dotnet host but has no entry assembly path")
            : (processPath, [entry]);
    }

    public INfsProbeChild Start(string mountPoint, string probeDirectory) => StartChild(
        NfsProbeChildProgram.PathFlag, mountPoint, NfsProbeChildProgram.DirectoryFlag, probeDirectory);

    public INfsProbeChild StartStatOnly(string path) => StartChild(NfsProbeChildProgram.PathFlag, path, NfsProbeChildProgram.StatOnlyFlag);

    public INfsProbeChild StartCopy(string sourcePath) => StartChild(NfsProbeChildProgram.CopyFlag, sourcePath);

    private NfsProbeChildProcess StartChild(params string[] arguments)
    {
        var resultFile = Path.Combine(_resultDirectory, $"probe-{Interlocked.Increment(ref _sequence)}.json");
        var info = new ProcessStartInfo(Shell) { UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(ExecWithNullStreams);
        info.ArgumentList.Add("bramble-nfs-probe");
        info.ArgumentList.Add(_executable);
        foreach (var argument in _leadingArguments.Concat(arguments))
        {
            info.ArgumentList.Add(argument);
        }

        info.ArgumentList.Add(NfsProbeChildProgram.ResultFileFlag);
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
