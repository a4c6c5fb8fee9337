using Bramble.Aggregator.Hosting;
using Microsoft.Extensions.Configuration;

namespace Bramble.Aggregator.Tests;

public sealed class AggregatorOptionsValidatorTests
{
    private static readonly AggregatorOptionsValidator Validator = new();

    [Fact]
    public void Validate_Defaults_Succeeds()
    {
        var result = Validator.Validate(null, new AggregatorOptions());

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    public static TheoryData<string, Action<AggregatorOptions>> Invalid => new()
    {
        { "Aggregator:GrpcUrl", o => o.GrpcUrl = "https://0.0.0.0:9731" },
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
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Validate_BadValue_FailsNamingTheKey(string key, Action<AggregatorOptions> spoil)
    {
        var options = new AggregatorOptions();
        spoil(options);

        var result = Validator.Validate(null, options);

        Assert.True(result.Failed);
        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith(key + ":", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BothUrlsBad_ReportsBoth()
    {
        var result = Validator.Validate(null, new AggregatorOptions { GrpcUrl = "x", HttpUrl = "y" });

        Assert.Equal(2, result.Failures!.Count());
    }

    [Theory]
    [InlineData(AggregatorOptionsValidator.MinMessageBytes)]
    [InlineData(AggregatorOptionsValidator.MaxMessageBytesLimit)]
    public void Validate_MessageLimitAtBounds_Succeeds(int bytes)
    {
        Assert.True(Validator.Validate(null, new AggregatorOptions { MaxMessageBytes = bytes }).Succeeded);
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
        var result = Validator.Validate(null, options);
        Assert.True(result.Succeeded, result.FailureMessage);
    }
}
