using System.Globalization;

namespace Bramble.Agent.Commands;

/// <summary>
/// The agent's own action processes as the kernel sees them, in the real /proc (not Agent:ProcRoot, which may be a
/// fixture tree): an action's descendants, and whether one is still there. A process is identified by pid and start
/// time, so a reused pid is never mistaken for it; a zombie counts as gone (it holds nothing but its exit status).
/// </summary>
public static class ProcessTree
{
    private const int MaxProcesses = 256;

    /// <summary>The process and every descendant now (from /proc/PID/task/TID/children), the process first.</summary>
    public static IReadOnlyList<ProcessIdentity> Snapshot(int pid)
    {
        var found = new List<ProcessIdentity>();
        var pending = new Queue<int>([pid]);
        var seen = new HashSet<int>();
        while (pending.Count > 0 && found.Count < MaxProcesses)
        {
            var next = pending.Dequeue();
            if (!seen.Add(next) || Read(next) is not { } identity)
            {
                continue;
            }

            found.Add(identity.Identity);
            foreach (var child in Children(next))
            {
                pending.Enqueue(child);
            }
        }

        return found;
    }

    /// <summary>Whether that very process (same pid, same start) exists and is not a zombie.</summary>
    public static bool IsAlive(ProcessIdentity process) =>
        Read(process.Pid) is { } now && now.Identity == process && now.State is not ('Z' or 'X');

    private static List<int> Children(int pid)
    {
        string[] tasks;
        try
        {
            tasks = Directory.GetDirectories($"/proc/{pid}/task");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }

        var children = new List<int>();
        foreach (var task in tasks)
        {
            try
            {
                foreach (var field in File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    if (int.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out var child))
                    {
                        children.Add(child);
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The task ended meanwhile.
            }
        }

        return children;
    }

    private static (ProcessIdentity Identity, char State)? Read(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // "pid (comm) state ppid …": comm may hold spaces and parentheses, so fields count from the last ')'.
        var close = stat.LastIndexOf(')');
        if (close < 0 || close + 2 >= stat.Length)
        {
            return null;
        }

        var fields = stat[(close + 2)..].Split(' ');
        // starttime is field 22 of stat, the 20th after the comm.
        return fields.Length > 19 && ulong.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var start)
            ? (new ProcessIdentity(pid, start), fields[0][0])
            : null;
    }
}
