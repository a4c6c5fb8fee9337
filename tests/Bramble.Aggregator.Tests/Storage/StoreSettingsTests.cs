using Bramble.Aggregator.Authentication;
using Bramble.Aggregator.Hosting;
using Bramble.Aggregator.Storage;

namespace Bramble.Aggregator.Tests.Storage;

/// <summary>Aggregator:Store and Aggregator:PostgresConnectionStringFile, checked at start through the options validator.</summary>
public sealed class StoreSettingsTests : IDisposable
{
    private readonly TempDirectory _credentials = new();

    public void Dispose() => _credentials.Dispose();

    [Fact]
    public void Postgres_WithoutFile_FailsNamingTheKey()
    {
        var result = new AggregatorOptionsValidator(_credentials.Path).Validate(null, new AggregatorOptions { AgentAuthentication = AgentAuthenticationMode.None, Store = StoreEngine.Postgres });

        Assert.Contains(result.Failures!, f => f.StartsWith("Aggregator:PostgresConnectionStringFile: must name", StringComparison.Ordinal));
    }

    [Fact]
    public void Postgres_MissingFile_FailsNamingKeyAndPath()
    {
        var options = new AggregatorOptions { AgentAuthentication = AgentAuthenticationMode.None, Store = StoreEngine.Postgres, PostgresConnectionStringFile = "pg", AdvertiseAddress = "http://agg-1.lan:9731" };

        var result = new AggregatorOptionsValidator(_credentials.Path).Validate(null, options);

        Assert.Contains(result.Failures!, f => f == $"Aggregator:PostgresConnectionStringFile: file '{Path.Combine(_credentials.Path, "pg")}' does not exist");
    }

    [Fact]
    public void Postgres_GarbledConnectionString_FailsWithoutEchoingIt()
    {
        File.WriteAllText(Path.Combine(_credentials.Path, "pg"), "Host=127.0.0.1;NoSuchKeyword=secret-password\n");
        var options = new AggregatorOptions { AgentAuthentication = AgentAuthenticationMode.None, Store = StoreEngine.Postgres, PostgresConnectionStringFile = "pg", AdvertiseAddress = "http://agg-1.lan:9731" };

        var result = new AggregatorOptionsValidator(_credentials.Path).Validate(null, options);

        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith("Aggregator:PostgresConnectionStringFile:", failure, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-password", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Postgres_FileRelativeToCredentialsDirectory_Succeeds()
    {
        File.WriteAllText(Path.Combine(_credentials.Path, "pg"), "Host=127.0.0.1;Username=bramble;Password=x;Database=bramble\n");
        var options = new AggregatorOptions { AgentAuthentication = AgentAuthenticationMode.None, Store = StoreEngine.Postgres, PostgresConnectionStringFile = "pg", AdvertiseAddress = "http://agg-1.lan:9731" };

        var result = new AggregatorOptionsValidator(_credentials.Path).Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
        Assert.Equal("Host=127.0.0.1;Username=bramble;Password=x;Database=bramble", StoreSettings.ReadConnectionString(StoreSettings.ConnectionStringPath(options, _credentials.Path)));
    }

    [Fact]
    public void Sqlite_IgnoresTheConnectionStringFile()
    {
        var result = new AggregatorOptionsValidator(_credentials.Path).Validate(null, new AggregatorOptions { AgentAuthentication = AgentAuthenticationMode.None, PostgresConnectionStringFile = "absent" });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void UndefinedEngine_FailsNamingTheKey()
    {
        var result = new AggregatorOptionsValidator(_credentials.Path).Validate(null, new AggregatorOptions { AgentAuthentication = AgentAuthenticationMode.None, Store = (StoreEngine)7 });

        Assert.Contains(result.Failures!, f => f.StartsWith("Aggregator:Store: must be Sqlite or Postgres", StringComparison.Ordinal));
    }

    [Fact]
    public void Postgres_WithoutAdvertiseAddress_FailsNamingTheKey()
    {
        var result = new AggregatorOptionsValidator(_credentials.Path).Validate(null, new AggregatorOptions { AgentAuthentication = AgentAuthenticationMode.None, Store = StoreEngine.Postgres });

        Assert.Contains(result.Failures!, f => f.StartsWith("Aggregator:AdvertiseAddress: required when Store is Postgres", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("agg-1.lan:9731")]
    [InlineData("ftp://agg-1.lan/")]
    public void Postgres_AdvertiseAddressNotAnHttpUrl_FailsNamingTheKey(string address)
    {
        var options = new AggregatorOptions { AgentAuthentication = AgentAuthenticationMode.None, Store = StoreEngine.Postgres, AdvertiseAddress = address };

        var result = new AggregatorOptionsValidator(_credentials.Path).Validate(null, options);

        Assert.Contains(result.Failures!, f => f.StartsWith("Aggregator:AdvertiseAddress: must be an absolute http:// or https:// URL", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("00:00:00.5")]
    [InlineData("00:10:01")]
    public void Postgres_LeaseDurationOutOfRange_FailsNamingTheKey(string duration)
    {
        var options = new AggregatorOptions
        {
            AgentAuthentication = AgentAuthenticationMode.None,
            Store = StoreEngine.Postgres,
            AdvertiseAddress = "http://agg-1.lan:9731",
            LeaseDuration = TimeSpan.Parse(duration, System.Globalization.CultureInfo.InvariantCulture),
        };

        var result = new AggregatorOptionsValidator(_credentials.Path).Validate(null, options);

        Assert.Contains(result.Failures!, f => f.StartsWith("Aggregator:LeaseDuration: must be between 00:00:01 and 00:10:00", StringComparison.Ordinal));
    }
}
