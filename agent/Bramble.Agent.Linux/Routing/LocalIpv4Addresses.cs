using System.Net;
using Bramble.Agent.Linux.FileSystem;

namespace Bramble.Agent.Linux.Routing;

/// <summary>
/// The IPv4 addresses assigned on this network namespace, from /proc/net/fib_trie: every leaf carrying a
/// "/32 host LOCAL" entry. Read without netlink or a shell-out, so a VIP that keepalived or kube-vip assigned shows
/// up, and a MetalLB VIP (answered in user space, on no interface) does not.
/// </summary>
public static class LocalIpv4Addresses
{
    public static IReadOnlySet<IPAddress> Read(IFileSystem fileSystem, HostPaths paths)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        ArgumentNullException.ThrowIfNull(paths);
        return Parse(fileSystem.TryReadAllText(paths.Proc("net/fib_trie")));
    }

    public static IReadOnlySet<IPAddress> Parse(string? fibTrie)
    {
        var local = new HashSet<IPAddress>();
        IPAddress? leaf = null;
        foreach (var raw in (fibTrie ?? string.Empty).Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith("|-- ", StringComparison.Ordinal))
            {
                leaf = IPAddress.TryParse(line.AsSpan(4), out var address) ? address : null;
            }
            else if (line.StartsWith("+-- ", StringComparison.Ordinal) || line.EndsWith(':'))
            {
                leaf = null;
            }
            else if (leaf is not null && line == "/32 host LOCAL")
            {
                local.Add(leaf);
            }
        }

        return local;
    }
}
