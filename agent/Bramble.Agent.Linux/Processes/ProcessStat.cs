using System.Globalization;

namespace Bramble.Agent.Linux.Processes;

/// <summary>
/// The head of /proc/&lt;pid&gt;/stat: "1234 (comm) D 1 …". The command name may hold spaces and parentheses, so the
/// state is the field after the last ')'. Reading stat never waits for the process (unlike cmdline, which takes its
/// memory map lock — held by a task stuck in an NFS page fault).
/// </summary>
public sealed record ProcessStat(int Pid, string Command, char State, int ParentPid)
{
    /// <summary>Uninterruptible sleep: how a process waiting on a hard NFS mount shows (TASK_KILLABLE included).</summary>
    public bool Uninterruptible => State == 'D';

    public static ProcessStat? Parse(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var open = text.IndexOf(" (", StringComparison.Ordinal);
        var close = text.LastIndexOf(')');
        if (open <= 0 || close < open || close + 2 >= text.Length
            || !int.TryParse(text.AsSpan(0, open), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == 0)
        {
            // Pid 0 is the idle task: it has no /proc entry, so a stat line claiming it is garbage.
            return null;
        }

        var rest = text[(close + 2)..].Split(' ', 3);
        var parent = rest.Length > 1 && int.TryParse(rest[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ppid) ? ppid : 0;
        return new ProcessStat(pid, text[(open + 2)..close], text[close + 2], parent);
    }
}
