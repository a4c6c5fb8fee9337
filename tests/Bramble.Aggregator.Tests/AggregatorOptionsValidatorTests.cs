using Bramble.Aggregator.Authentication;
using Bramble.Aggregator.Hosting;
using Microsoft.Extensions.Configuration;

namespace Bramble.Aggregator.Tests;

public sealed class AggregatorOptionsValidatorTests
{
    private static readonly AggregatorOptionsValidator Validator = new();

    private const AgentAuthenticationMode Plain = AgentAuthenticationMode.None;

    [Fact]
    public void Validate_DefaultsWithAgentAuthenticationChosen_Succeeds()
    {
        var result = Validator.Validate(null, new AggregatorOptions { AgentAuthentication = Plain });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_AgentAuthenticationNotChosen_FailsNamingTheKeyAndTheThreeChoices()
    {
        var failure = Assert.Single(Validator.Validate(null, new AggregatorOptions()).Failures!);

        Assert.StartsWith("Aggregator:AgentAuthentication: required, no default: None (plain text", failure, StringComparison.Ordinal);
        Assert.Contains("Token (per-node bearer tokens) or MutualTls (client certificates)", failure, StringComparison.Ordinal);
    }

    public static TheoryData<string, Action<AggregatorOptions>> Invalid => new()
    {
        { "Aggregator:GrpcUrl", o => o.GrpcUrl = "grpc://0.0.0.0:9731" },
        { "Aggregator:Http:CertificateFile", o => o.Http.CertificateFile = "/etc/bramble/http.crt" },
        { "Aggregator:GrpcUrl", o => o.GrpcUrl = "not a url" },
        { "Aggregator:GrpcUrl", o => o.GrpcUrl = "http://0.0.0.0" },
        { "Aggregator:HttpUrl", o => o.HttpUrl = "http://aggregator.lan:9730" },
        { "Aggregator:HttpUrl", o => o.HttpUrl = "http://0.0.0.0:9730/status" },
        { "Aggregator:DataDirectory", o => o.DataDirectory = " " },
        { "Aggregator:MaxMessageBytes", o => o.MaxMessageBytes = AggregatorOptionsValidator.MinMessageBytes - 1 },
        { "Aggregator:MaxMessageBytes", o => o.MaxMessageBytes = AggregatorOptionsValidator.MaxMessageBytesLimit + 1 },
        { "Aggregator:MaxMessageBytes", o => o.MaxMessageBytes = -1 },
        { "Aggregator:StoreBusyTimeout", o => o.StoreBusyTimeout = TimeSpan.Zero },
        { "Aggregator:StoreBusyTimeout", o => o.StoreBusyTimeout = TimeSpan.FromSeconds(-5) },
        { "Aggregator:HelloTimeout", o => o.HelloTimeout = TimeSpan.Zero },
        { "Aggregator:HelloTimeout", o => o.HelloTimeout = TimeSpan.FromHours(2) },
        { "Aggregator:StalledWriteTimeout", o => o.StalledWriteTimeout = TimeSpan.FromMilliseconds(-1) },
        { "Aggregator:StalledWriteTimeout", o => o.StalledWriteTimeout = TimeSpan.FromHours(2) },
        { "Aggregator:Tls:ClientCaFile", o => o.Tls.ClientCaFile = "/etc/bramble/ca.crt" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Validate_BadValue_FailsNamingTheKey(string key, Action<AggregatorOptions> spoil)
    {
        var options = new AggregatorOptions { AgentAuthentication = Plain };
        spoil(options);

        var result = Validator.Validate(null, options);

        Assert.True(result.Failed);
        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith(key + ":", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_HttpsWithoutFiles_NamesCertificateAndKey()
    {
        var result = Validator.Validate(null, new AggregatorOptions { AgentAuthentication = Plain, GrpcUrl = "https://0.0.0.0:9731", HttpUrl = "https://0.0.0.0:9730" });

        Assert.Equal(
            ["Aggregator:Tls:CertificateFile: required with an https:// URL", "Aggregator:Tls:KeyFile: required with an https:// URL",
             "Aggregator:Http:CertificateFile: required with an https:// URL", "Aggregator:Http:KeyFile: required with an https:// URL"],
            result.Failures!);
    }

    [Fact]
    public void Validate_MutualTlsOverHttp_NamesGrpcUrlAndClientCa()
    {
        var result = Validator.Validate(null, new AggregatorOptions { AgentAuthentication = AgentAuthenticationMode.MutualTls });

        Assert.Equal(2, result.Failures!.Count());
        Assert.StartsWith("Aggregator:GrpcUrl: must be https:// in MutualTls mode", result.Failures!.First(), StringComparison.Ordinal);
        Assert.StartsWith("Aggregator:Tls:ClientCaFile: required in MutualTls mode", result.Failures!.Last(), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BothUrlsBad_ReportsBoth()
    {
        var result = Validator.Validate(null, new AggregatorOptions { AgentAuthentication = Plain, GrpcUrl = "x", HttpUrl = "y" });

        Assert.Equal(2, result.Failures!.Count());
    }

    [Theory]
    [InlineData(AggregatorOptionsValidator.MinMessageBytes)]
    [InlineData(AggregatorOptionsValidator.MaxMessageBytesLimit)]
    public void Validate_MessageLimitAtBounds_Succeeds(int bytes)
    {
        Assert.True(Validator.Validate(null, new AggregatorOptions { AgentAuthentication = Plain, MaxMessageBytes = bytes }).Succeeded);
    }

    [Fact]
    public void ShippedAppSettings_BindsAndValidates()
    {
        var path = Path.Combine(TempDirectory.RepoRoot(), "aggregator", "Bramble.Aggregator", "appsettings.json");
        var configuration = new ConfigurationBuilder().AddJsonFile(path, optional: false).Build();
        var section = configuration.GetSection(AggregatorOptions.Section);

        var options = section.Get<AggregatorOptions>(binder => binder.ErrorOnUnknownConfiguration = true);

        Assert.True(section.Exists());
        Assert.NotNull(options);
        Assert.Equal("http://0.0.0.0:9731", options.GrpcUrl);
        Assert.Equal(1048576, options.MaxMessageBytes);
        // Left out on purpose: plain text must be chosen (demo.sh, /etc/bramble/aggregator.json), never a shipped default.
        Assert.Null(options.AgentAuthentication);
        options.AgentAuthentication = AgentAuthenticationMode.None;
        var result = Validator.Validate(null, options);
        Assert.True(result.Succeeded, result.FailureMessage);
    }
}
