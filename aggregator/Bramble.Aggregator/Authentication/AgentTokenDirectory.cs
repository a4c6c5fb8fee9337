using System.Text.RegularExpressions;

namespace Bramble.Aggregator.Authentication;

/// <summary>
/// Reads Aggregator:AgentTokenDirectory: one file per node, named after the node, holding its token. A file per node
/// (not one list) lets an operator add, rotate or revoke one node with cp/rm, and matches systemd LoadCredential= and
/// Kubernetes secret volumes, which both present one file per key. Hidden names (".…", e.g. a secret volume's
/// "..data" link) are skipped.
/// </summary>
public static partial class AgentTokenDirectory
{
    /// <summary>A shorter token is guessable (as Remediation:ApprovalToken).</summary>
    public const int MinTokenLength = 16;

    private const string Key = "Aggregator:AgentTokenDirectory";

    /// <summary>The tokens by node, or the problems found, each naming the key and the file.</summary>
    public static (AgentTokenSet? Tokens, IReadOnlyList<string> Failures) Load(string? directory) => Load(directory, null, null);

    /// <summary>
    /// As <see cref="Load(string?)"/>; a relative directory resolves under <paramref name="credentialsDirectory"/> when
    /// set, and with a <paramref name="prefix"/> only files named prefix + node count (systemd's LoadCredential= of a
    /// directory names each file "ID_file", beside the service's other secrets).
    /// </summary>
    public static (AgentTokenSet? Tokens, IReadOnlyList<string> Failures) Load(string? directory, string? prefix, string? credentialsDirectory)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(directory))
        {
            return (null, [$"{Key}: required when Aggregator:AgentAuthentication is Token"]);
        }

        directory = Resolve(directory, credentialsDirectory);
        prefix ??= string.Empty;

        if (!Directory.Exists(directory))
        {
            return (null, [$"{Key}: directory '{directory}' does not exist"]);
        }

        var tokenOfNode = new Dictionary<string, string>(StringComparer.Ordinal);
        var nodeOfToken = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(path);
            if (name.StartsWith('.') || !name.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var node = name[prefix.Length..];

            if (!NodeName().IsMatch(node))
            {
                failures.Add($"{Key}: file '{path}': the name must be a node name (1-253 of [A-Za-z0-9._-])");
                continue;
            }

            string token;
            try
            {
                token = File.ReadAllText(path).Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                failures.Add($"{Key}: file '{path}': cannot be read: {e.Message}");
                continue;
            }

            if (token.Length < MinTokenLength || token.Any(char.IsWhiteSpace))
            {
                failures.Add($"{Key}: file '{path}': the token must be at least {MinTokenLength} characters with no spaces (got {token.Length})");
                continue;
            }

            if (nodeOfToken.TryGetValue(token, out var other))
            {
                failures.Add($"{Key}: file '{path}': the same token as node '{other}'; each node needs its own");
                continue;
            }

            nodeOfToken[token] = node;
            tokenOfNode[node] = token;
        }

        if (failures.Count == 0 && tokenOfNode.Count == 0)
        {
            failures.Add($"{Key}: directory '{directory}' holds no token files (one per node, named {prefix}<node>)");
        }

        return failures.Count == 0 ? (new AgentTokenSet(tokenOfNode), []) : (null, failures);
    }

    /// <summary>The directory as read: a relative one under <paramref name="credentialsDirectory"/> when that is set.</summary>
    public static string Resolve(string directory, string? credentialsDirectory) =>
        !Path.IsPathRooted(directory) && !string.IsNullOrEmpty(credentialsDirectory)
            ? Path.GetFullPath(Path.Combine(credentialsDirectory, directory))
            : directory;

    [GeneratedRegex("^[A-Za-z0-9._-]{1,253}$")]
    private static partial Regex NodeName();
}
