using Bramble.Aggregator.Remediation;
using Bramble.Engine.Remediation;

namespace Bramble.Aggregator.Tests.Remediation;

/// <summary>Remediation:ApprovalTokenFile: the approval token from a file (systemd credentials), never the command line.</summary>
public sealed class ApprovalTokenFileTests : IDisposable
{
    private readonly TempDirectory _credentials = new();

    public void Dispose() => _credentials.Dispose();

    [Fact]
    public void TokenFile_RelativeToTheCredentialsDirectory_IsTheTokenWithoutItsNewline()
    {
        File.WriteAllText(Path.Combine(_credentials.Path, "approval-token"), "0123456789abcdef-from-file\n");
        var options = new RemediationOptions { Mode = RemediationMode.Approve, ApprovalTokenFile = "approval-token" };

        Assert.True(new RemediationOptionsValidator(_credentials.Path).Validate(null, options).Succeeded);
        Assert.Equal("0123456789abcdef-from-file", ApprovalToken.Of(options, _credentials.Path));
        Assert.True(ApprovalToken.IsValid("Bearer 0123456789abcdef-from-file", ApprovalToken.Of(options, _credentials.Path)));
    }

    [Theory]
    [InlineData("both", "Remediation:ApprovalToken: set either ApprovalToken or ApprovalTokenFile, not both")]
    [InlineData("missing", "Remediation:ApprovalTokenFile: no such file")]
    [InlineData("short", "Remediation:ApprovalTokenFile: required in approve mode, at least 16 characters")]
    public void BadTokenFile_IsOneFailureNamingTheKey(string mistake, string expected)
    {
        File.WriteAllText(Path.Combine(_credentials.Path, "short"), "too-short\n");
        var options = new RemediationOptions
        {
            Mode = RemediationMode.Approve,
            ApprovalToken = mistake == "both" ? "0123456789abcdef-inline" : string.Empty,
            ApprovalTokenFile = mistake == "missing" ? "absent" : "short",
        };

        var failure = Assert.Single(new RemediationOptionsValidator(_credentials.Path).Validate(null, options).Failures!);
        Assert.StartsWith(expected, failure, StringComparison.Ordinal);
    }
}
