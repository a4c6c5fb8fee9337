using System.Diagnostics;
using System.Text.Json;
using Bramble.Agent.Linux.FileSystem;
using Bramble.Agent.Probes.Isolation;

namespace Bramble.Agent.Probes.Nfs;

/// <summary>
/// The agent's hidden probe mode, run as a child process (DESIGN.md "Hang isolation"):
/// <c>bramble-agent --probe-nfs-path MOUNT --probe-directory NAME --probe-result-file FILE</c>.
/// It creates and writes a small file under MOUNT/NAME, fsyncs, reads it back, stats and removes it, timing each
/// step, and writes the outcome to FILE. If the mount hangs, this process hangs — not the agent.
/// </summary>
public static class NfsProbeChildProgram
{
    public const string PathFlag = "--probe-nfs-path";
    public const string DirectoryFlag = "--probe-directory";
    public const string ResultFileFlag = ProbeChildLauncher.ResultFileFlag;

    /// <summary>With <see cref="PathFlag"/>: only stat the path and list its first entry (pod volumes; never written).</summary>
    public const string StatOnlyFlag = "--stat-only";

    /// <summary>The second mode: copy a proc file that can block on a hung client (mountstats) into the result file.</summary>
    public const string CopyFlag = "--copy-file";

    /// <summary>With <see cref="PathFlag"/> and <see cref="DirectoryFlag"/>: create a file as root, record its owner, remove it (the doctor's root-squash check).</summary>
    public const string RootSquashFlag = "--root-squash";

    public static int Run(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (ValueOf(args, CopyFlag) is { } source)
        {
            if (ValueOf(args, ResultFileFlag) is not { } destination)
            {
                return 2;
            }

            ProbeChildStartSignal.Announce(destination);
            return Copy(source, destination);
        }

        var mount = ValueOf(args, PathFlag);
        var directory = ValueOf(args, DirectoryFlag);
        var resultFile = ValueOf(args, ResultFileFlag);
        var statOnly = args.Contains(StatOnlyFlag, StringComparer.Ordinal);
        if (mount is null || (directory is null && !statOnly) || resultFile is null)
        {
            return 2;
        }

        // Start-up is over: from here the agent's deadline counts, and the next call touches the mount.
        ProbeChildStartSignal.Announce(resultFile);
        var result = statOnly ? StatOnly(mount)
            : args.Contains(RootSquashFlag, StringComparer.Ordinal) ? RootOwner(mount, directory!)
            : Probe(mount, directory!);
        var temporary = resultFile + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(result, ProbeChildJsonContext.Default.ProbeChildResult));
        File.Move(temporary, resultFile, overwrite: true);
        return 0;
    }

    public static ProbeChildResult Probe(string mount, string directoryName)
    {
        var result = new ProbeChildResult();
        var directory = Path.Combine(mount, directoryName);
        // Host name and pid: nodes sharing one export, or an old stuck child, never touch each other's file.
        var file = Path.Combine(directory, $"{Environment.MachineName}-{Environment.ProcessId}.probe");
        var payload = System.Text.Encoding.ASCII.GetBytes($"bramble {Environment.MachineName} {Environment.ProcessId}\n");
        FileStream? stream = null;
        // The contract's step names: "create" is the probe directory (when missing) and the file, then write, fsync, ….
        var step = "create";
        var watch = Stopwatch.StartNew();
        try
        {
            // Never create the mount point: a missing one (unmounted kubelet volume) would be made on the local disk
            // and probed there, reporting a dead mount as fine. Only the probe directory itself is created.
            if (!Directory.Exists(mount))
            {
                throw new DirectoryNotFoundException($"mount point {mount} does not exist");
            }

            if (!Directory.Exists(directory))
            {
                Directory.CreateDirectory(directory);
            }

            stream = new FileStream(file, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1);
            result.StepDone(step, watch);

            step = "write";
            stream.Write(payload);
            result.StepDone(step, watch);

            step = "fsync";
            stream.Flush(flushToDisk: true);
            stream.Dispose();
            stream = null;
            result.StepDone(step, watch);

            step = "read";
            var read = File.ReadAllBytes(file);
            if (!read.AsSpan().SequenceEqual(payload))
            {
                throw new IOException($"read back {read.Length} bytes that differ from the {payload.Length} written", Errno.InputOutput);
            }

            result.StepDone(step, watch);

            step = "stat";
            var info = new FileInfo(file);
            if (info.Length != payload.Length)
            {
                throw new IOException($"stat says {info.Length} bytes, {payload.Length} were written", Errno.InputOutput);
            }

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

    /// <summary>
    /// The read-only check of a pod volume or subPath mount: stat it, and when it is a directory read its first entry
    /// (a stale handle shows on the first operation that reaches the server). The probe never writes into a pod's
    /// volume: that is the pod's data, possibly read-only, and a subPath may be a single file.
    /// </summary>
    public static ProbeChildResult StatOnly(string path)
    {
        var result = new ProbeChildResult();
        var step = "stat";
        var watch = Stopwatch.StartNew();
        try
        {
            var attributes = File.GetAttributes(path);
            result.StepDone(step, watch);
            if (attributes.HasFlag(FileAttributes.Directory))
            {
                step = "list";
                using var entries = Directory.EnumerateFileSystemEntries(path).GetEnumerator();
                _ = entries.MoveNext();
                result.StepDone(step, watch);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            result.Fail(step, e);
        }

        return result;
    }

    /// <summary>
    /// Creates an empty file under MOUNT/NAME (this child runs as root, like a pod's init container), records the
    /// owner the server gave it in <see cref="ProbeChildResult.OwnerUid"/> and removes it. A root-squashing export
    /// hands it to nobody (65534) or its anonuid; a denied create is the same squash meeting a directory that the
    /// squashed user may not write.
    /// </summary>
    public static ProbeChildResult RootOwner(string mount, string directoryName)
    {
        var result = new ProbeChildResult();
        var directory = Path.Combine(mount, directoryName);
        var file = Path.Combine(directory, $"{Environment.MachineName}-{Environment.ProcessId}.squash");
        var step = "create";
        var watch = Stopwatch.StartNew();
        try
        {
            // As in Probe: never create the mount point itself, only the probe directory.
            if (!Directory.Exists(mount))
            {
                throw new DirectoryNotFoundException($"mount point {mount} does not exist");
            }

            if (!Directory.Exists(directory))
            {
                Directory.CreateDirectory(directory);
            }

            new FileStream(file, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1).Dispose();
            result.StepDone(step, watch);

            step = "stat";
            result.OwnerUid = FileOwner.UidOf(file);
            result.StepDone(step, watch);

            step = "remove";
            File.Delete(file);
            result.StepDone(step, watch);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            result.Fail(step, e);
            if (step == "stat")
            {
                TryDelete(file);
            }
        }

        return result;
    }

    public static bool IsProbeMode(string[] args) =>
        args is not null && (args.Contains(PathFlag, StringComparer.Ordinal) || args.Contains(CopyFlag, StringComparer.Ordinal));

    private static int Copy(string source, string destination)
    {
        try
        {
            var temporary = destination + ".tmp";
            File.WriteAllText(temporary, File.ReadAllText(source));
            File.Move(temporary, destination, overwrite: true);
            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 1;
        }
    }


    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The failure already recorded is the news; a leftover empty file is harmless.
        }
    }

    private static string? ValueOf(string[] args, string flag)
    {
        var index = Array.IndexOf(args, flag);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}
