using System.Diagnostics;
using System.Reflection;

namespace Bramble.Agent.Probes.Isolation;

/// <summary>
/// Spawns the agent's own binary in one of its hidden probe modes (NFS mount, mountstats copy, state storage). Its
/// stdin, stdout and stderr are /dev/null (through a shell's exec, so the pid is the probe's own): a child stuck in the
/// kernel holding an inherited pipe would block whoever reads it — the agent, or systemd's journal stream. Result files
/// and start markers live in a temp directory of this agent process.
/// </summary>
public sealed class ProbeChildLauncher : IDisposable
{
    /// <summary>Where every probe mode writes its result (a JSON object or a copied file).</summary>
    public const string ResultFileFlag = "--probe-result-file";

    private const string Shell = "/bin/sh";
    private const string ExecWithNullStreams = "exec \"$@\" </dev/null >/dev/null 2>&1";

    private readonly TimeProvider _time;
    private readonly string _resultDirectory;
    private readonly string _executable;
    private readonly IReadOnlyList<string> _leadingArguments;
    private long _sequence;

    public ProbeChildLauncher(TimeProvider time)
        : this(time, OwnCommandLine())
    {
    }

    /// <summary>Starts <paramref name="commandLine"/> instead of this program (tests: a wrapper that starts slowly).</summary>
    internal ProbeChildLauncher(TimeProvider time, (string Executable, IReadOnlyList<string> LeadingArguments) commandLine)
    {
        _time = time;
        _resultDirectory = Directory.CreateTempSubdirectory($"bramble-agent-{Environment.ProcessId}-").FullName;
        (_executable, _leadingArguments) = commandLine;
    }

    /// <summary>
    /// How to start this program again. Run as "dotnet bramble-agent.dll", the process path is the dotnet host, which
    /// needs the entry assembly; run through the apphost or as a NativeAOT binary, the process path is the program itself.
    /// </summary>
    public static (string Executable, IReadOnlyList<string> LeadingArguments) OwnCommandLine() =>
        OwnCommandLine(
            Environment.ProcessPath ?? throw new InvalidOperationException("The agent cannot find its own executable"),
            AppContext.BaseDirectory,
            Assembly.GetEntryAssembly()?.GetName().Name);

    /// <summary>
    /// <see cref="OwnCommandLine()"/> from its inputs. The entry assembly's file is found from the application's
    /// directory and the assembly's name, not from Assembly.Location, which is empty in a single-file or NativeAOT
    /// program (IL3000) — where this branch is never taken, since the process path is then the program itself.
    /// </summary>
    internal static (string Executable, IReadOnlyList<string> LeadingArguments) OwnCommandLine(string processPath, string baseDirectory, string? entryAssemblyName)
    {
        var isDotnetHost = string.Equals(Path.GetFileNameWithoutExtension(processPath), "dotnet", StringComparison.Ordinal);
        if (!isDotnetHost)
        {
            return (processPath, []);
        }

        return string.IsNullOrEmpty(entryAssemblyName)
            ? throw new InvalidOperationException("The agent runs under the dotnet host but has no entry assembly")
            : (processPath, [Path.Combine(baseDirectory, entryAssemblyName + ".dll")]);
    }

    /// <summary>
    /// Starts a child with <paramref name="arguments"/> and its result file; <paramref name="name"/> (e.g.
    /// "bramble-nfs-probe") is its argv[0] in the shell and the result file's prefix.
    /// </summary>
    public IProbeChild Start(string name, IEnumerable<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var resultFile = Path.Combine(_resultDirectory, $"{name}-{Interlocked.Increment(ref _sequence)}.json");
        var info = new ProcessStartInfo(Shell) { UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(ExecWithNullStreams);
        info.ArgumentList.Add(name);
        info.ArgumentList.Add(_executable);
        foreach (var argument in _leadingArguments.Concat(arguments))
        {
            info.ArgumentList.Add(argument);
        }

        info.ArgumentList.Add(ResultFileFlag);
        info.ArgumentList.Add(resultFile);

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.Start();
        return new ProbeChildProcess(process, resultFile, _time);
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
