namespace Bramble.Agent.Linux.Processes;

/// <summary>
/// Kernel wait channels (/proc/&lt;pid&gt;/wchan, a function name) that mean "waiting for an NFS server"; a pattern
/// ending in '*' matches by prefix ("nfs_*").
/// </summary>
public sealed class WaitChannels
{
    /// <summary>Where hard-mount waiters sleep: the RPC state machine and the NFS client's page and request waits.</summary>
    public static IReadOnlyList<string> NfsDefaults { get; } =
    [
        "rpc_wait_bit_killable", "__rpc_execute", "rpc_execute", "rpc_*", "__rpc_*",
        "nfs_wait_bit_killable", "nfs_page_group_lock", "nfs_wait_on_request", "nfs_*", "nfs4_*", "__nfs_*",
    ];

    private readonly HashSet<string> _exact = new(StringComparer.Ordinal);
    private readonly List<string> _prefixes = [];

    public WaitChannels(IEnumerable<string> patterns)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        foreach (var pattern in patterns.Select(p => p.Trim()).Where(p => p.Length > 0))
        {
            if (pattern.EndsWith('*'))
            {
                _prefixes.Add(pattern[..^1]);
            }
            else
            {
                _exact.Add(pattern);
            }
        }
    }

    public bool Matches(string? waitChannel)
    {
        var name = waitChannel?.Trim();
        return !string.IsNullOrEmpty(name) && name != "0"
            && (_exact.Contains(name) || _prefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal)));
    }
}
