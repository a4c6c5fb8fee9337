using Microsoft.Extensions.Options;

namespace Bramble.Agent.Hosting;

/// <summary>Checks every agent option at start; each failure names its configuration key and the reason.</summary>
public sealed class AgentOptionsValidator : IValidateOptions<AgentOptions>
{
    public const int MaxOutboxCapacity = 1_000_000;
    private static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(10);

    public ValidateOptionsResult Validate(string? name, AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        const string prefix = AgentOptions.Section + ":";

        if (!IsValidNodeName(options.EffectiveNodeName))
        {
            failures.Add($"{prefix}{nameof(options.NodeName)}: '{options.EffectiveNodeName}' is not a valid node name (1-253 of [A-Za-z0-9._-])");
        }

        var addresses = options.EffectiveAggregatorAddresses;
        for (var i = 0; i < addresses.Count; i++)
        {
            if (!Uri.TryCreate(addresses[i], UriKind.Absolute, out var address)
                || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps)
                || address.AbsolutePath != "/")
            {
                failures.Add($"{options.AggregatorAddressKey(i)}: '{addresses[i]}' is not an http(s) URL such as http://127.0.0.1:9731");
            }
            else if (addresses.Take(i).Any(earlier => Uri.TryCreate(earlier, UriKind.Absolute, out var e) && e == address))
            {
                failures.Add($"{options.AggregatorAddressKey(i)}: '{addresses[i]}' is listed twice");
            }
        }

        AtLeast(failures, $"{prefix}{nameof(options.ReportInterval)}", options.ReportInterval, MinInterval);
        AtLeast(failures, $"{prefix}{nameof(options.ProbeInterval)}", options.ProbeInterval, MinInterval);
        AtLeast(failures, $"{prefix}{nameof(options.ProbeTimeout)}", options.ProbeTimeout, MinInterval);
        AtLeast(failures, $"{prefix}{nameof(options.ConnectTimeout)}", options.ConnectTimeout, MinInterval);
        AtLeast(failures, $"{prefix}{nameof(options.ReconnectInitialDelay)}", options.ReconnectInitialDelay, MinInterval);
        if (options.DrainTimeout < TimeSpan.Zero)
        {
            failures.Add($"{prefix}{nameof(options.DrainTimeout)}: must not be negative (got {options.DrainTimeout})");
        }

        if (options.ReconnectMaxDelay < options.ReconnectInitialDelay)
        {
            failures.Add($"{prefix}{nameof(options.ReconnectMaxDelay)}: must not be shorter than {prefix}{nameof(options.ReconnectInitialDelay)} ({options.ReconnectMaxDelay} < {options.ReconnectInitialDelay})");
        }

        if (options.OutboxCapacity is < 1 or > MaxOutboxCapacity)
        {
            failures.Add($"{prefix}{nameof(options.OutboxCapacity)}: must be between 1 and {MaxOutboxCapacity} (got {options.OutboxCapacity})");
        }

        if (string.IsNullOrWhiteSpace(options.ProcRoot) || string.IsNullOrWhiteSpace(options.SysRoot))
        {
            failures.Add($"{prefix}{nameof(options.ProcRoot)}/{nameof(options.SysRoot)}: must name directories");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void AtLeast(List<string> failures, string key, TimeSpan value, TimeSpan minimum)
    {
        if (value < minimum)
        {
            failures.Add($"{key}: must be at least {minimum.TotalMilliseconds:F0} ms (got {value})");
        }
    }

    private static bool IsValidNodeName(string name) =>
        name.Length is > 0 and <= 253 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_');
}
