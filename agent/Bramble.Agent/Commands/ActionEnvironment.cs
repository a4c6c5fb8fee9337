namespace Bramble.Agent.Commands;

/// <summary>
/// The whole environment of an action process, built from nothing: the agent's own environment may hold credentials
/// (a systemd credential path, a token in a BRAMBLE_ variable), and a unit restart or a hook needs none of it. PATH is
/// the agent's (where it found systemctl, umount and mount; a fixed default when it has none), the locale is C.UTF-8,
/// systemctl neither pages nor colours, and a hook also gets the BRAMBLE_* variables its invocation names.
/// </summary>
public static class ActionEnvironment
{
    public const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public static IReadOnlyDictionary<string, string> For(ProcessInvocation invocation, string? agentPath)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = string.IsNullOrEmpty(agentPath) ? DefaultPath : agentPath,
            ["LANG"] = "C.UTF-8",
            ["SYSTEMD_PAGER"] = string.Empty,
            ["SYSTEMD_COLORS"] = "0",
        };
        foreach (var (name, value) in invocation.Environment ?? new Dictionary<string, string>())
        {
            environment[name] = value;
        }

        return environment;
    }
}
