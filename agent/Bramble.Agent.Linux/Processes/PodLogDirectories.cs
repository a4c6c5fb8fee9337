namespace Bramble.Agent.Linux.Processes;

/// <summary>
/// Pod names by uid from the kubelet's log directories, /var/log/pods/&lt;namespace&gt;_&lt;name&gt;_&lt;uid&gt;: the only
/// place on a node that names a pod without asking the API server. Namespace and pod names are DNS names (no '_').
/// </summary>
public static class PodLogDirectories
{
    public static IReadOnlyDictionary<string, (string Namespace, string Name)> Parse(IEnumerable<string> directoryNames)
    {
        ArgumentNullException.ThrowIfNull(directoryNames);
        var pods = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        foreach (var name in directoryNames)
        {
            var parts = name.Split('_');
            if (parts.Length == 3 && parts.All(p => p.Length > 0))
            {
                pods[parts[2]] = (parts[0], parts[1]);
            }
        }

        return pods;
    }
}
