using System.Globalization;

namespace Bramble.IntegrationTests.Nfs;

/// <summary>Threads and children of a process, from /proc (the real one): what "bounded" is measured on.</summary>
public static class ProcessCensus
{
    public static int Threads(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("Threads:", StringComparison.Ordinal))
            {
                return int.Parse(line["Threads:".Length..].Trim(), CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"/proc/{pid}/status has no Threads line");
    }

    /// <summary>Processes whose parent is <paramref name="pid"/> (running, stuck or zombie).</summary>
    public static IReadOnlyList<int> Children(int pid)
    {
        var children = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var candidate))
            {
                continue;
            }

            try
            {
                // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so parse after the last ')'.
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1], CultureInfo.InvariantCulture) == pid)
                {
                    children.Add(candidate);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended while we looked.
            }
        }

        return children;
    }

    /// <summary>
    /// Children of <paramref name="pid"/> that are NFS probe or mountstats-reader children, one-shot or the long-lived
    /// one (other probes run tools too). A child with no command line at all counts too: the long-lived child killed
    /// on a hung mount keeps only its stuck thread, and with its main thread gone /proc shows an empty command line
    /// (so does a zombie not yet reaped, which this counts as well: bounds measured on it are on the safe side).
    /// </summary>
    public static IReadOnlyList<int> NfsChildren(int pid) => Children(pid).Where(child =>
    {
        try
        {
            var commandLine = File.ReadAllText($"/proc/{child}/cmdline");
            return commandLine.Contains("--probe-nfs-path", StringComparison.Ordinal) || commandLine.Contains("--copy-file", StringComparison.Ordinal)
                || commandLine.Contains("--probe-server", StringComparison.Ordinal) || commandLine.Length == 0;
        }
        catch (IOException)
        {
            return false; // gone meanwhile
        }
    }).ToList();
}
