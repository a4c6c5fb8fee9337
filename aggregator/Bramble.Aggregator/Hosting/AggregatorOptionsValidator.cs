using Bramble.Aggregator.Authentication;
using Bramble.Aggregator.Storage;
using Microsoft.Extensions.Options;

namespace Bramble.Aggregator.Hosting;

/// <summary>Checks every aggregator option at start; each failure names its configuration key.</summary>
public sealed class AggregatorOptionsValidator : IValidateOptions<AggregatorOptions>
{
    public const int MinMessageBytes = 4 * 1024;
    public const int MaxMessageBytesLimit = 64 * 1024 * 1024;
    public const string GrpcTlsSection = AggregatorOptions.Section + ":Tls";
    public const string HttpTlsSection = AggregatorOptions.Section + ":Http";
    public const string ClientCaKey = GrpcTlsSection + ":ClientCaFile";

    private readonly string? _credentialsDirectory;

    public AggregatorOptionsValidator()
        : this(Environment.GetEnvironmentVariable("CREDENTIALS_DIRECTORY"))
    {
    }

    public AggregatorOptionsValidator(string? credentialsDirectory) => _credentialsDirectory = credentialsDirectory;

    public ValidateOptionsResult Validate(string? name, AggregatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        const string prefix = AggregatorOptions.Section + ":";

        if (ListenAddress.TryParse(options.GrpcUrl, out var grpc, out var grpcError) is false)
        {
            failures.Add($"{prefix}{nameof(options.GrpcUrl)}: {grpcError}");
        }
        else if (grpc.IsHttps)
        {
            failures.AddRange(TlsFiles.LoadCertificate(GrpcTlsSection, options.Tls.CertificateFile, options.Tls.KeyFile, _credentialsDirectory).Failures);
        }

        if (ListenAddress.TryParse(options.HttpUrl, out var http, out var httpError) is false)
        {
            failures.Add($"{prefix}{nameof(options.HttpUrl)}: {httpError}");
        }
        else if (http.IsHttps)
        {
            failures.AddRange(TlsFiles.LoadCertificate(HttpTlsSection, options.Http.CertificateFile, options.Http.KeyFile, _credentialsDirectory).Failures);
        }
        else if (!string.IsNullOrWhiteSpace(options.Http.CertificateFile) || !string.IsNullOrWhiteSpace(options.Http.KeyFile))
        {
            failures.Add($"{HttpTlsSection}:CertificateFile: set, but {prefix}{nameof(options.HttpUrl)} is http:// (use https:// to serve TLS)");
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

        if (options.AgentAuthentication is null)
        {
            failures.Add($"{prefix}{nameof(options.AgentAuthentication)}: required, no default: None (plain text: any host that reaches the gRPC port can report as any node), Token (per-node bearer tokens) or MutualTls (client certificates); see README \"Securing Bramble\"");
        }
        else if (!Enum.IsDefined(options.AgentAuthentication.Value))
        {
            failures.Add($"{prefix}{nameof(options.AgentAuthentication)}: must be None, Token or MutualTls (got {options.AgentAuthentication})");
        }
        else if (options.AgentAuthentication == AgentAuthenticationMode.Token)
        {
            failures.AddRange(AgentTokenDirectory.Load(options.AgentTokenDirectory, options.AgentTokenFilePrefix, _credentialsDirectory).Failures);
        }
        else if (options.AgentAuthentication == AgentAuthenticationMode.MutualTls)
        {
            if (grpc is { IsHttps: false })
            {
                failures.Add($"{prefix}{nameof(options.GrpcUrl)}: must be https:// in MutualTls mode (got {options.GrpcUrl})");
            }

            failures.AddRange(TlsFiles.LoadAuthorities(ClientCaKey, options.Tls.ClientCaFile, _credentialsDirectory).Failures);
        }

        if (options.AgentAuthentication is AgentAuthenticationMode.None or AgentAuthenticationMode.Token
            && !string.IsNullOrWhiteSpace(options.Tls.ClientCaFile))
        {
            // A CA that judges nothing would look like client certificates were checked.
            failures.Add($"{ClientCaKey}: only used with {prefix}{nameof(options.AgentAuthentication)}=MutualTls (it is {options.AgentAuthentication}); remove it or choose MutualTls");
        }

        failures.AddRange(StoreSettings.Failures(options, _credentialsDirectory));

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
