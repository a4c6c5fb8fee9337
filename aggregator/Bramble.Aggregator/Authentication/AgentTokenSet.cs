using System.Security.Cryptography;
using System.Text;

namespace Bramble.Aggregator.Authentication;

/// <summary>
/// The per-node agent tokens, and the check that a Connect call's bearer token belongs to the node its Hello names.
/// Tokens are kept only as SHA-256 hashes and every one is compared in fixed time, so neither the time taken nor an
/// early exit tells a caller how much of a token matched or which node's it was close to.
/// </summary>
public sealed class AgentTokenSet
{
    private const string Scheme = "Bearer ";
    private readonly (string Node, byte[] Hash)[] _tokens;

    public AgentTokenSet(IReadOnlyDictionary<string, string> tokenOfNode)
    {
        ArgumentNullException.ThrowIfNull(tokenOfNode);
        _tokens = [.. tokenOfNode.Select(p => (p.Key, Hash(p.Value)))];
    }

    public int Count => _tokens.Length;

    /// <summary>Null when <paramref name="authorizationHeader"/> carries the token of <paramref name="node"/>; else why not.</summary>
    public AgentAuthFailure? Check(string? authorizationHeader, string node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (string.IsNullOrWhiteSpace(authorizationHeader)
            || !authorizationHeader.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)
            || authorizationHeader[Scheme.Length..].Trim().Length == 0)
        {
            return AgentAuthFailure.Missing;
        }

        var offered = Hash(authorizationHeader[Scheme.Length..].Trim());
        string? owner = null;
        foreach (var (tokenNode, hash) in _tokens)
        {
            // No break: every token is compared, whichever matches.
            if (CryptographicOperations.FixedTimeEquals(offered, hash))
            {
                owner = tokenNode;
            }
        }

        return owner is null ? AgentAuthFailure.UnknownToken
            : string.Equals(owner, node, StringComparison.Ordinal) ? null
            : AgentAuthFailure.NodeMismatch;
    }

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
