using Grpc.Core;

namespace Bramble.Agent.Reporting;

/// <summary>
/// This node's bearer token (Agent:TokenFile), read once at start, and the metadata it puts on every Connect call.
/// A relative path resolves under $CREDENTIALS_DIRECTORY (systemd LoadCredential=) when that is set.
/// </summary>
public sealed class AgentBearerToken
{
    private const string Key = "Agent:TokenFile";

    private AgentBearerToken(Metadata? headers) => Headers = headers;

    /// <summary>The call metadata carrying the token; null when no token file is configured.</summary>
    public Metadata? Headers { get; }

    public static AgentBearerToken None { get; } = new(null);

    public static string PathOf(string tokenFile, string? credentialsDirectory) =>
        Path.IsPathRooted(tokenFile) || string.IsNullOrEmpty(credentialsDirectory) ? tokenFile : Path.Combine(credentialsDirectory, tokenFile);

    /// <summary>The token from the file, or the reason it cannot be used (naming the key and the file).</summary>
    public static (AgentBearerToken? Token, string? Failure) Load(string? tokenFile, string? credentialsDirectory)
    {
        if (string.IsNullOrWhiteSpace(tokenFile))
        {
            return (None, null);
        }

        var path = PathOf(tokenFile, credentialsDirectory);
        string token;
        try
        {
            // Trimmed: a file written with echo ends in a newline.
            token = File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, $"{Key}: cannot read '{path}': {e.Message}");
        }

        if (token.Length == 0)
        {
            return (null, $"{Key}: '{path}' is empty");
        }

        if (token.Any(char.IsWhiteSpace) || token.Any(char.IsControl))
        {
            return (null, $"{Key}: '{path}' must hold one token with no spaces");
        }

        return (new AgentBearerToken(new Metadata { { "authorization", $"Bearer {token}" } }), null);
    }
}
