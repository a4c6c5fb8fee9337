namespace Bramble.Agent.Probes.Storage;

/// <summary>Which directory holds the cluster's state: the configured one, else the first default that exists, under the host root.</summary>
public static class StateDirectoryLocator
{
    /// <summary>The directory and whether it was configured; null when none is configured and no default exists.</summary>
    public static (string Path, bool Configured)? Find(string hostRoot, string configured, IReadOnlyList<string> defaults, Func<string, bool> exists)
    {
        ArgumentNullException.ThrowIfNull(hostRoot);
        ArgumentNullException.ThrowIfNull(configured);
        ArgumentNullException.ThrowIfNull(defaults);
        ArgumentNullException.ThrowIfNull(exists);
        if (configured.Length > 0)
        {
            return (UnderRoot(hostRoot, configured), true);
        }

        foreach (var candidate in defaults)
        {
            var path = UnderRoot(hostRoot, candidate);
            if (exists(path))
            {
                return (path, false);
            }
        }

        return null;
    }

    /// <summary>An absolute host path as seen under <paramref name="hostRoot"/> ("/" leaves it as it is).</summary>
    public static string UnderRoot(string hostRoot, string path)
    {
        ArgumentNullException.ThrowIfNull(hostRoot);
        ArgumentNullException.ThrowIfNull(path);
        var root = hostRoot.TrimEnd('/');
        return root.Length == 0 ? path : root + "/" + path.TrimStart('/');
    }
}
