using System.Diagnostics;
using System.Text.Json;
using Bramble.Agent.Probes.Isolation;

namespace Bramble.Agent.Probes.Storage;

/// <summary>
/// The agent's hidden state-storage mode, run as a child process like the NFS probe (DESIGN.md "Hang isolation"):
/// <c>bramble-agent --probe-state-path DIR --probe-result-file FILE</c>. It creates a small file directly in DIR,
/// writes it, fsyncs it and removes it, timing each step, and writes the outcome to FILE (the NFS child's result
/// format). A dying SD card can leave fsync in D state for minutes: then this process hangs, not the agent.
/// </summary>
public static class StateStorageChildProgram
{
    public const string PathFlag = "--probe-state-path";
    public const string ResultFileFlag = ProbeChildLauncher.ResultFileFlag;

    public static bool IsProbeMode(string[] args) => args is not null && args.Contains(PathFlag, StringComparer.Ordinal);

    public static int Run(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var directory = ValueOf(args, PathFlag);
        var resultFile = ValueOf(args, ResultFileFlag);
        if (directory is null || resultFile is null)
        {
            return 2;
        }

        // Start-up is over: from here the agent's deadline counts, and the next call touches the storage.
        ProbeChildStartSignal.Announce(resultFile);
        var result = Probe(directory);
        var temporary = resultFile + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(result, ProbeChildJsonContext.Default.ProbeChildResult));
        File.Move(temporary, resultFile, overwrite: true);
        return 0;
    }

    /// <summary>Steps "create", "write", "fsync", "remove"; the directory itself is never created.</summary>
    public static ProbeChildResult Probe(string directory)
    {
        var result = new ProbeChildResult();
        // The pid keeps a stuck earlier child's file apart from this one's.
        var file = Path.Combine(directory, $".bramble-fsync-{Environment.ProcessId}.probe");
        var payload = System.Text.Encoding.ASCII.GetBytes($"bramble {Environment.ProcessId}\n");
        FileStream? stream = null;
        var step = "create";
        var watch = Stopwatch.StartNew();
        try
        {
            stream = new FileStream(file, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1);
            result.StepDone(step, watch);

            step = "write";
            stream.Write(payload);
            result.StepDone(step, watch);

            step = "fsync";
            stream.Flush(flushToDisk: true);
            stream.Dispose();
            stream = null;
            result.StepDone(step, watch);

            step = "remove";
            File.Delete(file);
            result.StepDone(step, watch);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            result.Fail(step, e);
            stream?.Dispose();
        }

        return result;
    }


    private static string? ValueOf(string[] args, string flag)
    {
        var index = Array.IndexOf(args, flag);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}
