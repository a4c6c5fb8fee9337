using Bramble.Aggregator.Incidents;

namespace Bramble.Aggregator.Tests.Incidents;

/// <summary>The VIP rules' own settings are checked at start, each failure naming its key.</summary>
public sealed class VipRulesOptionsValidatorTests
{
    private static readonly RulesOptionsValidator Validator = new();

    [Fact]
    public void Validate_Defaults_Succeeds()
    {
        var result = Validator.Validate(null, new RulesOptions());

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    public static TheoryData<string, Action<RulesOptions>> Invalid => new()
    {
        { "Rules:VipOwnerMismatch:MissedReports", o => o.VipOwnerMismatch.MissedReports = 0 },
        { "Rules:VipOwnerMismatch:For", o => o.VipOwnerMismatch.For = TimeSpan.FromSeconds(-1) },
        { "Rules:VipFlapping:MaxChanges", o => o.VipFlapping.MaxChanges = 0 },
        { "Rules:VipFlapping:Window", o => o.VipFlapping.Window = TimeSpan.Zero },
        { "Rules:VipServiceDown:For", o => o.VipServiceDown.For = TimeSpan.FromSeconds(-1) },
        { "Rules:VipStaleUpstreamCache:ResolveAfter", o => o.VipStaleUpstreamCache.ResolveAfter = TimeSpan.FromSeconds(-1) },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Validate_BadValue_FailsNamingTheKey(string key, Action<RulesOptions> spoil)
    {
        var options = new RulesOptions();
        spoil(options);

        var result = Validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(key + ":", result.FailureMessage, StringComparison.Ordinal);
    }
}
