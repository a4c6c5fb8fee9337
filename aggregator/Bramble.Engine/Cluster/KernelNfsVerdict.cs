namespace Bramble.Engine.Cluster;

/// <summary>
/// The kernel's own latest word on an NFS server, from one node's log: "not responding" stands until an "OK" about
/// the same server follows it. The kernel names the server as the mount does ("nas.lan" from "nas.lan:/export"),
/// which may differ from the address the agent reports (addr=), so both are tried.
/// </summary>
public static class KernelNfsVerdict
{
    /// <summary>The node's latest NFS line about the mount's server, or null when its kernel said nothing about it.</summary>
    public static KernelMessageView? Latest(NodeState node, NfsMountView mount)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(mount);
        var sourceHost = SourceHost(mount.Source);
        KernelMessageView? latest = null;
        foreach (var message in node.KernelMessages)
        {
            if (message.Kind is KernelMessageKind.NfsServerNotResponding or KernelMessageKind.NfsServerOk
                && (message.Subject == mount.Server || (sourceHost.Length > 0 && message.Subject == sourceHost))
                && (latest is null || (message.LoggedAt, message.Sequence).CompareTo((latest.LoggedAt, latest.Sequence)) > 0))
            {
                latest = message;
            }
        }

        return latest;
    }

    /// <summary>True when the node's kernel last said the mount's server is not responding.</summary>
    public static bool NotResponding(NodeState node, NfsMountView mount) => Latest(node, mount)?.Kind == KernelMessageKind.NfsServerNotResponding;

    /// <summary>"nas.lan" of "nas.lan:/export", "fd00::1" of "[fd00::1]:/export".</summary>
    public static string SourceHost(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.StartsWith('['))
        {
            var close = source.IndexOf(']', StringComparison.Ordinal);
            return close > 0 ? source[1..close] : string.Empty;
        }

        var colon = source.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 ? source[..colon] : string.Empty;
    }
}
