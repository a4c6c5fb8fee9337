using Bramble.Agent.Probes.Vitals;

namespace Bramble.Agent.Tests.Vitals;

public sealed class VitalsOptionsValidatorTests
{
    private static readonly VitalsOptionsValidator Validator = new();

    [Fact]
    public void Validate_Defaults_Succeeds()
    {
        var result = Validator.Validate(null, new VitalsOptions());

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("HostRoot", "Vitals:HostRoot: 'host' must be an absolute path")]
    [InlineData("StateDirectory", "Vitals:StateDirectory: 'var/lib/rancher' must be an absolute path, or empty for the default")]
    [InlineData("StateProbeDeadline", "Vitals:StateProbeDeadline: must be between 100 ms and 60 s")]
    [InlineData("StateProbeChildStartLimit", "Vitals:StateProbeChildStartLimit: must be between 1 s and 120 s")]
    [InlineData("StateProbeInterval", "Vitals:StateProbeInterval: must not be negative")]
    [InlineData("K3sConfigPath", "Vitals:K3sConfigPath: 'config.yaml' must be an absolute path")]
    public void Validate_BadValue_NamesTheKey(string key, string expected)
    {
        var options = new VitalsOptions();
        switch (key)
        {
            case "HostRoot": options.HostRoot = "host"; break;
            case "StateDirectory": options.StateDirectory = "var/lib/rancher"; break;
            case "StateProbeDeadline": options.StateProbeDeadline = TimeSpan.FromMilliseconds(10); break;
            case "StateProbeChildStartLimit": options.StateProbeChildStartLimit = TimeSpan.FromMilliseconds(200); break;
            case "StateProbeInterval": options.StateProbeInterval = TimeSpan.FromSeconds(-1); break;
            default: options.K3sConfigPath = "config.yaml"; break;
        }

        var result = Validator.Validate(null, options);

        Assert.Contains(result.Failures!, f => f.StartsWith(expected, StringComparison.Ordinal));
    }
}
