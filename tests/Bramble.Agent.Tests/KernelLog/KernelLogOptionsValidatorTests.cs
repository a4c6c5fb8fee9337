using Bramble.Agent.Hosting;
using Bramble.Agent.Probes.KernelLog;

namespace Bramble.Agent.Tests.KernelLog;

public sealed class KernelLogOptionsValidatorTests
{
    private static readonly KernelLogOptionsValidator Validator = new();

    [Fact]
    public void Validate_Defaults_Succeeds()
    {
        var options = new AgentOptions();
        Assert.Equal(("/dev/kmsg", TimeSpan.FromMinutes(10)), (options.KmsgPath, options.KernelMessageRetention));
        Assert.True(Validator.Validate(null, options).Succeeded);
    }

    public static TheoryData<string, Action<AgentOptions>> Invalid => new()
    {
        { "Agent:KmsgPath", o => o.KmsgPath = "" },
        { "Agent:KmsgPath", o => o.KmsgPath = "dev/kmsg" },
        { "Agent:KernelMessageRetention", o => o.KernelMessageRetention = TimeSpan.Zero },
        { "Agent:KernelMessageRetention", o => o.KernelMessageRetention = TimeSpan.FromMinutes(-1) },
        { "Agent:KernelMessageRetention", o => o.KernelMessageRetention = TimeSpan.FromDays(2) },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Validate_BadValue_FailsNamingTheKey(string key, Action<AgentOptions> spoil)
    {
        var options = new AgentOptions();
        spoil(options);

        var result = Validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.StartsWith(key + ":", result.FailureMessage, StringComparison.Ordinal);
    }
}
