using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Probes.Kubelet;

/// <summary>Checks the kubelet options at start; each failure names its configuration key.</summary>
public sealed partial class KubeletOptionsValidator : IValidateOptions<KubeletOptions>
{
    private static readonly TimeSpan MinTimeout = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromSeconds(30);

    public ValidateOptionsResult Validate(string? name, KubeletOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        const string prefix = KubeletOptions.Section + ":";

        if (!Uri.TryCreate(options.HealthzUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            failures.Add($"{prefix}{nameof(options.HealthzUrl)}: '{options.HealthzUrl}' must be an absolute http(s) URL such as http://127.0.0.1:10248/healthz");
        }

        if (options.Timeout < MinTimeout || options.Timeout > MaxTimeout)
        {
            failures.Add($"{prefix}{nameof(options.Timeout)}: must be between {MinTimeout.TotalMilliseconds:F0} ms and {MaxTimeout.TotalSeconds:F0} s (got {options.Timeout})");
        }

        // The name goes to systemctl as one argument; still, only what systemd accepts in a unit name.
        if (options.Unit.Length > 0 && !UnitName().IsMatch(options.Unit))
        {
            failures.Add($"{prefix}{nameof(options.Unit)}: '{options.Unit}' is not a systemd unit name such as kubelet or k3s-agent");
        }

        CheckPath(failures, prefix + nameof(options.ClientCertificatePath), options.ClientCertificatePath);
        CheckPath(failures, prefix + nameof(options.ServingCertificatePath), options.ServingCertificatePath);
        CheckPath(failures, prefix + nameof(options.CriSocket), options.CriSocket);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckPath(List<string> failures, string key, string path)
    {
        if (path.Length > 0 && !Path.IsPathFullyQualified(path))
        {
            failures.Add($"{key}: '{path}' must be an absolute path, or empty to auto-detect");
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9:_.\\@-]{1,255}$")]
    private static partial Regex UnitName();
}
