using Bramble.Engine.Rules;
using Microsoft.Extensions.Options;

namespace Bramble.Aggregator.Alerts;

/// <summary>Checks the alert settings at start; each failure names its key, e.g. "Alerts:Webhooks:0:SecretFile".</summary>
public sealed class AlertsOptionsValidator : IValidateOptions<AlertsOptions>
{
    /// <summary>Alertmanager's default resolve_timeout: re-sending less often lets it resolve firing alerts itself.</summary>
    public static readonly TimeSpan AlertmanagerResolveTimeout = TimeSpan.FromMinutes(5);

    /// <summary>A shorter inbound token is guessable (as Remediation:ApprovalToken).</summary>
    public const int MinInboundTokenLength = 16;

    private readonly string? _credentialsDirectory;

    public AlertsOptionsValidator()
        : this(Environment.GetEnvironmentVariable("CREDENTIALS_DIRECTORY"))
    {
    }

    public AlertsOptionsValidator(string? credentialsDirectory)
    {
        _credentialsDirectory = credentialsDirectory;
    }

    public ValidateOptionsResult Validate(string? name, AlertsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        const string prefix = AlertsOptions.Section + ":";
        if (string.IsNullOrWhiteSpace(options.ClusterName))
        {
            failures.Add($"{prefix}ClusterName: must not be empty");
        }

        if (options.ExternalUrl.Length > 0 && !IsHttpUrl(options.ExternalUrl))
        {
            failures.Add($"{prefix}ExternalUrl: must be an absolute http(s) URL (got '{options.ExternalUrl}')");
        }

        Positive(failures, $"{prefix}MaxAge", options.MaxAge);
        Positive(failures, $"{prefix}ResendInterval", options.ResendInterval);
        if (options.ResendInterval >= AlertmanagerResolveTimeout)
        {
            failures.Add($"{prefix}ResendInterval: must be below Alertmanager's resolve_timeout of 5 minutes (got {options.ResendInterval})");
        }

        Positive(failures, $"{prefix}RetryDelay", options.RetryDelay);
        if (options.RetryMaxDelay < options.RetryDelay)
        {
            failures.Add($"{prefix}RetryMaxDelay: must be at least RetryDelay (got {options.RetryMaxDelay})");
        }

        if (options.MaxRetries is < 1 or > 50)
        {
            failures.Add($"{prefix}MaxRetries: must be between 1 and 50 (got {options.MaxRetries})");
        }

        if (options.BreakDuration < TimeSpan.FromMilliseconds(500))
        {
            failures.Add($"{prefix}BreakDuration: must be at least 0.5 s (got {options.BreakDuration})");
        }

        Positive(failures, $"{prefix}PollInterval", options.PollInterval);

        for (var i = 0; i < options.Alertmanagers.Count; i++)
        {
            var target = options.Alertmanagers[i];
            if (!IsHttpUrl(target.Url))
            {
                failures.Add($"{prefix}Alertmanagers:{i}:Url: must be an absolute http(s) URL (got '{target.Url}')");
            }

            Positive(failures, $"{prefix}Alertmanagers:{i}:Timeout", target.Timeout);
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Webhooks.Count; i++)
        {
            var hook = options.Webhooks[i];
            var key = $"{prefix}Webhooks:{i}:";
            if (string.IsNullOrWhiteSpace(hook.Name) || hook.Name.StartsWith("alertmanager-", StringComparison.Ordinal) || !names.Add(hook.Name))
            {
                failures.Add($"{key}Name: must be set, unique and not start with 'alertmanager-' (got '{hook.Name}')");
            }

            if (!IsHttpUrl(hook.Url))
            {
                failures.Add($"{key}Url: must be an absolute http(s) URL (got '{hook.Url}')");
            }

            if (!Enum.TryParse<Severity>(hook.MinSeverity, ignoreCase: true, out _) || int.TryParse(hook.MinSeverity, out _))
            {
                failures.Add($"{key}MinSeverity: must be Info, Warning or Critical (got '{hook.MinSeverity}')");
            }

            if (hook.Kinds.Any(string.IsNullOrWhiteSpace))
            {
                failures.Add($"{key}Kinds: must not contain empty kinds");
            }

            Positive(failures, $"{key}Timeout", hook.Timeout);
            if (string.IsNullOrWhiteSpace(hook.SecretFile))
            {
                failures.Add($"{key}SecretFile: required (the HMAC key is read from a file, never from the command line)");
            }
            else
            {
                var path = WebhookSecret.PathOf(hook.SecretFile, _credentialsDirectory);
                if (!File.Exists(path))
                {
                    failures.Add($"{key}SecretFile: no such file '{path}'");
                }
                else if (WebhookSecret.Read(path).Length < 16)
                {
                    failures.Add($"{key}SecretFile: the key in '{path}' must be at least 16 bytes");
                }
            }
        }

        ValidateInbound(failures, options, prefix);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>The token of POST /api/v1/alertmanager, from the option or its file; empty when neither is set.</summary>
    public static string InboundTokenOf(AlertsOptions options, string? credentialsDirectory)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.InboundTokenFile.Length == 0)
        {
            return options.InboundToken;
        }

        var path = WebhookSecret.PathOf(options.InboundTokenFile, credentialsDirectory);
        return File.Exists(path) ? File.ReadAllText(path).Trim() : string.Empty;
    }

    private void ValidateInbound(List<string> failures, AlertsOptions options, string prefix)
    {
        if (options.InboundToken.Length > 0 && options.InboundTokenFile.Length > 0)
        {
            failures.Add($"{prefix}InboundToken: set either InboundToken or InboundTokenFile, not both");
        }
        else if (options.InboundTokenFile.Length > 0 && !File.Exists(WebhookSecret.PathOf(options.InboundTokenFile, _credentialsDirectory)))
        {
            failures.Add($"{prefix}InboundTokenFile: no such file '{WebhookSecret.PathOf(options.InboundTokenFile, _credentialsDirectory)}'");
        }
        else if (InboundTokenOf(options, _credentialsDirectory) is { Length: > 0 and < MinInboundTokenLength })
        {
            var key = options.InboundTokenFile.Length > 0 ? "InboundTokenFile" : "InboundToken";
            failures.Add($"{prefix}{key}: the token must be at least {MinInboundTokenLength} characters");
        }

        Positive(failures, $"{prefix}InboundExpiry", options.InboundExpiry);
        if (options.InboundMaxBytes is < 1024 or > 64 * 1024 * 1024)
        {
            failures.Add($"{prefix}InboundMaxBytes: must be between 1024 and 67108864 (got {options.InboundMaxBytes})");
        }
    }

    private static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    private static void Positive(List<string> failures, string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{key}: must be positive (got {value})");
        }
    }
}
