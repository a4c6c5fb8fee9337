using Bramble.Agent.Hosting;
using Bramble.Agent.Reporting;

namespace Bramble.Agent.Tests;

/// <summary>Agent:TokenFile is read at start; a missing or empty file stops the agent naming the key and the file.</summary>
public sealed class AgentTokenFileValidatorTests : IDisposable
{
    private readonly DirectoryInfo _credentials = Directory.CreateTempSubdirectory("bt-agent-token-");

    public void Dispose() => _credentials.Delete(recursive: true);

    [Fact]
    public void NoTokenFile_Succeeds_AndSendsNoHeader()
    {
        Assert.True(new AgentTokenFileValidator(null).Validate(null, new AgentOptions()).Succeeded);
        Assert.Null(AgentBearerToken.Load(null, null).Token!.Headers);
    }

    [Fact]
    public void RelativeTokenFile_ResolvesUnderCredentialsDirectory_AndBecomesBearerMetadata()
    {
        File.WriteAllText(Path.Combine(_credentials.FullName, "agent-token"), "s3cret-token-0123456789\n");
        var options = new AgentOptions { TokenFile = "agent-token" };

        Assert.True(new AgentTokenFileValidator(_credentials.FullName).Validate(null, options).Succeeded);
        var header = Assert.Single(AgentBearerToken.Load("agent-token", _credentials.FullName).Token!.Headers!);
        Assert.Equal("authorization", header.Key);
        Assert.Equal("Bearer s3cret-token-0123456789", header.Value);
    }

    [Fact]
    public void MissingFile_FailsNamingKeyAndPath()
    {
        var options = new AgentOptions { TokenFile = "absent" };

        var result = new AgentTokenFileValidator(_credentials.FullName).Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains($"Agent:TokenFile: cannot read '{Path.Combine(_credentials.FullName, "absent")}'", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("\n \n", "is empty")]
    [InlineData("two words", "must hold one token with no spaces")]
    public void BadContent_FailsNamingKeyAndPath(string content, string reason)
    {
        var path = Path.Combine(_credentials.FullName, "token");
        File.WriteAllText(path, content);

        var result = new AgentTokenFileValidator(null).Validate(null, new AgentOptions { TokenFile = path });

        Assert.True(result.Failed);
        Assert.Contains($"Agent:TokenFile: '{path}' {reason}", result.FailureMessage, StringComparison.Ordinal);
    }
}
