using Bramble.Aggregator.Authentication;
using Microsoft.Extensions.Options;

namespace Bramble.Aggregator.Hosting;

/// <summary>Checks every aggregator option at start; each failure names its configuration key.</summary>
public sealed class AggregatorOptionsValidator : IValidateOptions<AggregatorOptions>
{
    public const int MinMessageBytes = 4 * 1024;
    public const int MaxMessageBytesLimit = 64 * 1024 * 1024;

    public ValidateOptionsResult Validate(string? name, AggregatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        const string prefix = AggregatorOptions.Section + ":";

        if (ListenAddress.TryParse(options.GrpcUrl, out _, out var grpcError) is false)
        {
            failures.Add($"{prefix}{nameof(options.GrpcUrl)}: {grpcError}");
        }

        if (ListenAddress.TryParse(options.HttpUrl, out _, out var httpError) is false)
        {
            failures.Add($"{prefix}{nameof(options.HttpUrl)}: {httpError}");
        }

        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            failures.Add($"{prefix}{nameof(options.DataDirectory)}: must name a directory");
        }

        if (options.MaxMessageBytes is < MinMessageBytes or > MaxMessageBytesLimit)
        {
            failures.Add($"{prefix}{nameof(options.MaxMessageBytes)}: must be between {MinMessageBytes} and {MaxMessageBytesLimit} (got {options.MaxMessageBytes})");
        }

        if (options.StoreBusyTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{prefix}{nameof(options.StoreBusyTimeout)}: must be positive (got {options.StoreBusyTimeout})");
        }

        if (options.HelloTimeout < TimeSpan.FromMilliseconds(100) || options.HelloTimeout > TimeSpan.FromHours(1))
        {
            failures.Add($"{prefix}{nameof(options.HelloTimeout)}: must be between 00:00:00.1 and 01:00:00 (got {options.HelloTimeout})");
        }

        if (options.StalledWriteTimeout < TimeSpan.FromMilliseconds(100) || options.StalledWriteTimeout > TimeSpan.FromHours(1))
        {
            failures.Add($"{prefix}{nameof(options.StalledWriteTimeout)}: must be between 00:00:00.1 and 01:00:00 (got {options.StalledWriteTimeout})");
        }

        if (!Enum.IsDefined(options.AgentAuthentication))
        {
            failures.Add($"{prefix}{nameof(options.AgentAuthentication)}: must be None or Token (got {options.AgentAuthentication})");
        }
        else if (options.AgentAuthentication == AgentAuthenticationMode.Token)
        {
            failures.AddRange(AgentTokenDirectory.Load(options.AgentTokenDirectory).Failures);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
