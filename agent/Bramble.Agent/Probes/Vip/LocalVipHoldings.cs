using System.Net;
using Bramble.Agent.Linux.FileSystem;
using Bramble.Agent.Linux.Routing;

namespace Bramble.Agent.Probes.Vip;

/// <summary>
/// Whether a VIP is assigned on this node now, from /proc/net/fib_trie read at most once per
/// <see cref="RefreshInterval"/>: a frame flood must not become a procfs read per frame. A takeover is therefore
/// seen up to that late, which only matters for the frames of that second.
/// </summary>
public sealed class LocalVipHoldings
{
    private readonly IFileSystem _fileSystem;
    private readonly HostPaths _paths;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private IReadOnlySet<IPAddress> _local = new HashSet<IPAddress>();
    private long? _readAt;

    public LocalVipHoldings(IFileSystem fileSystem, HostPaths paths, TimeProvider time)
    {
        _fileSystem = fileSystem;
        _paths = paths;
        _time = time;
    }

    public static TimeSpan RefreshInterval { get; } = TimeSpan.FromSeconds(1);

    public bool Holds(IPAddress vip)
    {
        lock (_gate)
        {
            if (_readAt is not { } at || _time.GetElapsedTime(at) >= RefreshInterval)
            {
                _local = LocalIpv4Addresses.Read(_fileSystem, _paths);
                _readAt = _time.GetTimestamp();
            }

            return _local.Contains(vip);
        }
    }
}
