using Bramble.Agent.Hosting;
using Microsoft.Extensions.Configuration;

namespace Bramble.Agent.Tests;

public sealed class AgentOptionsValidatorTests
{
    private static readonly AgentOptionsValidator Validator = new();

    [Fact]
    public void Validate_Defaults_Succeeds()
    {
        var result = Validator.Validate(null, new AgentOptions { NodeName = "pi-01" });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("http://127.0.0.1:9731")]
    [InlineData("https://aggregator.lan:9731")]
    [InlineData("http://[fd00::1]:9731/")]
    public void Validate_GoodAggregatorAddress_Succeeds(string address)
    {
        var result = Validator.Validate(null, new AgentOptions { NodeName = "pi-01", AggregatorAddress = address });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    public static TheoryData<string, Action<AgentOptions>> Invalid => new()
    {
        { "Agent:ReportInterval", o => o.ReportInterval = TimeSpan.FromSeconds(-1) },
        { "Agent:ReportInterval", o => o.ReportInterval = TimeSpan.Zero },
        { "Agent:ProbeInterval", o => o.ProbeInterval = TimeSpan.FromMilliseconds(1) },
        { "Agent:ProbeTimeout", o => o.ProbeTimeout = TimeSpan.FromSeconds(-3) },
        { "Agent:ConnectTimeout", o => o.ConnectTimeout = TimeSpan.Zero },
        { "Agent:ReconnectInitialDelay", o => o.ReconnectInitialDelay = TimeSpan.Zero },
        { "Agent:AggregatorAddresses:1", o => o.AggregatorAddresses = ["http://127.0.0.1:9731", "not a url"] },
        { "Agent:AggregatorAddresses:1", o => o.AggregatorAddresses = ["http://127.0.0.1:9731", "HTTP://127.0.0.1:9731/"] },
        { "Agent:AggregatorAddress", o => o.AggregatorAddress = "not a url" },
        { "Agent:AggregatorAddress", o => o.AggregatorAddress = "ftp://127.0.0.1:9731" },
        { "Agent:AggregatorAddress", o => o.AggregatorAddress = "/var/run/bramble.sock" },
        { "Agent:AggregatorAddress", o => o.AggregatorAddress = "http://127.0.0.1:9731/grpc" },
        { "Agent:AggregatorAddress", o => o.AggregatorAddress = "" },
        { "Agent:ReconnectMaxDelay", o => o.ReconnectMaxDelay = TimeSpan.FromMilliseconds(500) },
        { "Agent:OutboxCapacity", o => o.OutboxCapacity = 0 },
        { "Agent:OutboxCapacity", o => o.OutboxCapacity = -1 },
        { "Agent:OutboxCapacity", o => o.OutboxCapacity = AgentOptionsValidator.MaxOutboxCapacity + 1 },
        { "Agent:NodeName", o => o.NodeName = "pi 01" },
        { "Agent:NodeName", o => o.NodeName = "<script>" },
        { "Agent:NodeName", o => o.NodeName = new string('a', 254) },
        { "Agent:ProcRoot", o => o.ProcRoot = " " },
        { "Agent:ProcRoot", o => o.SysRoot = "" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Validate_BadValue_FailsNamingTheKey(string key, Action<AgentOptions> spoil)
    {
        var options = new AgentOptions { NodeName = "pi-01" };
        spoil(options);

        var result = Validator.Validate(null, options);

        Assert.True(result.Failed);
        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith(key, failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SeveralBadValues_ReportsEach()
    {
        var options = new AgentOptions { NodeName = "pi-01", ReportInterval = TimeSpan.FromSeconds(-1), OutboxCapacity = 0 };

        var result = Validator.Validate(null, options);

        Assert.Equal(2, result.Failures!.Count());
        Assert.Contains(result.Failures!, f => f.Contains("Agent:ReportInterval", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.Contains("Agent:OutboxCapacity", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_ReconnectMaxDelayEqualToInitial_Succeeds()
    {
        var options = new AgentOptions { NodeName = "pi-01", ReconnectInitialDelay = TimeSpan.FromSeconds(2), ReconnectMaxDelay = TimeSpan.FromSeconds(2) };

        Assert.True(Validator.Validate(null, options).Succeeded);
    }

    [Fact]
    public void ShippedAppSettings_BindsAndValidates()
    {
        var path = Path.Combine(TempDirectory.RepoRoot(), "agent", "Bramble.Agent", "appsettings.json");
        var configuration = new ConfigurationBuilder().AddJsonFile(path, optional: false).Build();
        var section = configuration.GetSection(AgentOptions.Section);

        var options = section.Get<AgentOptions>(binder => binder.ErrorOnUnknownConfiguration = true);

        Assert.NotNull(options);
        Assert.True(section.Exists());
        Assert.Equal(TimeSpan.FromSeconds(10), options.ReportInterval);
        Assert.Equal(8640, options.OutboxCapacity);
        var result = Validator.Validate(null, options);
        Assert.True(result.Succeeded, result.FailureMessage);
    }
}
