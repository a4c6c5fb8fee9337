using System.Globalization;

namespace Bramble.Agent.Linux.Nfs;

/// <summary>Where a mount's NFS service answers: the server, its port (port=, else 2049) and the protocol's major version.</summary>
public sealed record NfsEndpoint(string Server, int Port, uint Version)
{
    public const int DefaultPort = 2049;

    /// <summary>The endpoint of a mount, from its kernel-rendered options; null without a server.</summary>
    public static NfsEndpoint? From(NfsMountInfo mount)
    {
        ArgumentNullException.ThrowIfNull(mount);
        if (mount.Server.Length == 0)
        {
            return null;
        }

        var options = MountOptionList.Parse(mount.SuperOptions);
        var port = int.TryParse(options.Value("port"), NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is > 0 and < 65536
            ? p
            : DefaultPort;
        var vers = options.Value("vers") ?? options.Value("nfsvers");
        var major = vers is not null && uint.TryParse(vers.Split('.')[0], NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v is >= 2 and <= 4
            ? v
            : mount.FsType == "nfs4" ? 4u : 3u;
        return new NfsEndpoint(mount.Server, port, major);
    }
}
