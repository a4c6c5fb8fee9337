using Bramble.Aggregator.Authentication;
using Bramble.Aggregator.Hosting;

namespace Bramble.Aggregator.Tests.Authentication;

/// <summary>The token directory is checked at start naming the key and the file; a token binds to its node only.</summary>
public sealed class AgentTokenTests : IDisposable
{
    private const string TokenA = "token-of-node-a-0123456789";
    private const string TokenB = "token-of-node-b-0123456789";
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("bt-agent-tokens-");

    public void Dispose() => _directory.Delete(recursive: true);

    private string Write(string name, string content)
    {
        var path = Path.Combine(_directory.FullName, name);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void Load_OneFilePerNode_ChecksTokensAgainstTheirNode()
    {
        Write("node-a", TokenA + "\n");
        Write("node-b", TokenB);
        Write("..data", "ignored");

        var (tokens, failures) = AgentTokenDirectory.Load(_directory.FullName);

        Assert.Empty(failures);
        Assert.Equal(2, tokens!.Count);
        Assert.Null(tokens.Check($"Bearer {TokenA}", "node-a"));
        Assert.Null(tokens.Check($"bearer {TokenB}", "node-b"));
        Assert.Equal(AgentAuthFailure.NodeMismatch, tokens.Check($"Bearer {TokenA}", "node-b"));
        Assert.Equal(AgentAuthFailure.NodeMismatch, tokens.Check($"Bearer {TokenA}", "node-c"));
        Assert.Equal(AgentAuthFailure.UnknownToken, tokens.Check($"Bearer {TokenA}x", "node-a"));
        Assert.Equal(AgentAuthFailure.UnknownToken, tokens.Check("Bearer ignored", "..data"));
        Assert.Equal(AgentAuthFailure.Missing, tokens.Check(null, "node-a"));
        Assert.Equal(AgentAuthFailure.Missing, tokens.Check("", "node-a"));
        Assert.Equal(AgentAuthFailure.Missing, tokens.Check("Bearer ", "node-a"));
        Assert.Equal(AgentAuthFailure.Missing, tokens.Check($"Basic {TokenA}", "node-a"));
    }

    [Fact]
    public void Load_ShortToken_FailsNamingKeyAndFile()
    {
        Write("node-a", TokenA);
        var path = Write("node-b", "short");

        var (tokens, failures) = AgentTokenDirectory.Load(_directory.FullName);

        Assert.Null(tokens);
        var failure = Assert.Single(failures);
        Assert.StartsWith("Aggregator:AgentTokenDirectory: file '" + path + "'", failure, StringComparison.Ordinal);
        Assert.Contains("at least 16 characters", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SameTokenForTwoNodes_Fails()
    {
        Write("node-a", TokenA);
        Write("node-b", TokenA);

        var (_, failures) = AgentTokenDirectory.Load(_directory.FullName);

        Assert.Contains("the same token as node 'node-a'", Assert.Single(failures), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_BadFileName_Fails()
    {
        Write("node a", TokenA);

        var (_, failures) = AgentTokenDirectory.Load(_directory.FullName);

        Assert.Contains("the name must be a node name", Assert.Single(failures), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "required when Aggregator:AgentAuthentication is Token")]
    [InlineData("/nonexistent/bt-agent-tokens", "does not exist")]
    public void Load_NoDirectory_FailsNamingTheKey(string? directory, string reason)
    {
        var (_, failures) = AgentTokenDirectory.Load(directory);

        var failure = Assert.Single(failures);
        Assert.StartsWith("Aggregator:AgentTokenDirectory: ", failure, StringComparison.Ordinal);
        Assert.Contains(reason, failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_EmptyDirectory_Fails()
    {
        var (_, failures) = AgentTokenDirectory.Load(_directory.FullName);

        Assert.Contains("holds no token files", Assert.Single(failures), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WithPrefixUnderCredentialsDirectory_ReadsOnlyPrefixedFiles_AsSystemdPresentsThem()
    {
        // LoadCredential=aggregator:/etc/bramble/credentials/aggregator: every file arrives as aggregator_<file>.
        Write("aggregator_agent-token.node-a", TokenA);
        Write("aggregator_agent-token.node-b", TokenB);
        Write("aggregator_server.key", "not a token");

        var (tokens, failures) = AgentTokenDirectory.Load(".", "aggregator_agent-token.", _directory.FullName);

        Assert.Empty(failures);
        Assert.Equal(2, tokens!.Count);
        Assert.Null(tokens.Check($"Bearer {TokenA}", "node-a"));
        Assert.Equal(AgentAuthFailure.NodeMismatch, tokens.Check($"Bearer {TokenB}", "node-a"));
    }

    [Fact]
    public void Validator_TokenModeWithBadDirectory_FailsNamingTheKey_NoneModeIgnoresIt()
    {
        var validator = new AggregatorOptionsValidator();
        var token = new AggregatorOptions { AgentAuthentication = AgentAuthenticationMode.Token, AgentTokenDirectory = _directory.FullName };
        var none = new AggregatorOptions { AgentAuthentication = AgentAuthenticationMode.None, AgentTokenDirectory = "/nonexistent/bt-agent-tokens" };

        var failed = validator.Validate(null, token);

        Assert.True(failed.Failed);
        Assert.Contains("Aggregator:AgentTokenDirectory:", failed.FailureMessage, StringComparison.Ordinal);
        Assert.True(validator.Validate(null, none).Succeeded);
        Write("node-a", TokenA);
        Assert.True(validator.Validate(null, token).Succeeded);
    }
}
