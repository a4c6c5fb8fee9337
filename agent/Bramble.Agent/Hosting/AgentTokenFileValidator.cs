using Bramble.Agent.Reporting;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Hosting;

/// <summary>Checks at start that Agent:TokenFile, when set, names a readable file holding a token.</summary>
public sealed class AgentTokenFileValidator : IValidateOptions<AgentOptions>
{
    private readonly string? _credentialsDirectory;

    public AgentTokenFileValidator()
        : this(Environment.GetEnvironmentVariable("CREDENTIALS_DIRECTORY"))
    {
    }

    public AgentTokenFileValidator(string? credentialsDirectory) => _credentialsDirectory = credentialsDirectory;

    public ValidateOptionsResult Validate(string? name, AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (_, failure) = AgentBearerToken.Load(options.TokenFile, _credentialsDirectory);
        return failure is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failure);
    }
}
