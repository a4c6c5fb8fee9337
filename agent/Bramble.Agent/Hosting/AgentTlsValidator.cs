using Bramble.Agent.Reporting;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Hosting;

/// <summary>Checks at start that Agent:Tls, when set, names readable PEM files and an https:// aggregator address.</summary>
public sealed class AgentTlsValidator : IValidateOptions<AgentOptions>
{
    private readonly string? _credentialsDirectory;

    public AgentTlsValidator()
        : this(Environment.GetEnvironmentVariable("CREDENTIALS_DIRECTORY"))
    {
    }

    public AgentTlsValidator(string? credentialsDirectory) => _credentialsDirectory = credentialsDirectory;

    public ValidateOptionsResult Validate(string? name, AgentOptions options)
    {
        var (_, failures) = AgentTlsCredentials.Load(options, _credentialsDirectory, TimeProvider.System);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
