using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Configuration;

/// <summary>Bad configuration stops either program at start, naming the key and the reason (exit code 78, EX_CONFIG).</summary>
public sealed class InvalidConfigurationTests
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("--Agent:ReportInterval=-00:00:01", "Agent:ReportInterval", "must be at least")]
    [InlineData("--Agent:ReportInterval=soon", "Agent:ReportInterval", "Failed to convert")]
    [InlineData("--Agent:AggregatorAddress=not a url", "Agent:AggregatorAddress", "is not an http(s) URL")]
    [InlineData("--Agent:OutboxCapacity=0", "Agent:OutboxCapacity", "must be between")]
    [InlineData("--Agent:ReconnectMaxDelay=00:00:00.5", "Agent:ReconnectMaxDelay", "must not be shorter")]
    [InlineData("--Vip:Watch:0:Address=vip.lan", "Vip:Watch:0:Address", "'vip.lan' is not an IPv4 address")]
    [InlineData("--Vip:Window=00:00:00", "Vip:Window", "must be between")]
    [InlineData("--Remediation:Units:0=--force", "Remediation:Units:0", "'--force' is not a systemd unit name")]
    [InlineData("--Remediation:Hooks:drain=drain.sh", "Remediation:Hooks:drain", "is not the absolute path of an executable")]
    [InlineData("--Remediation:Reboot=maybe", "Remediation:Reboot", "Failed to convert")]
    [InlineData("--Remediation:PrivilegedActions=sudo", "Remediation:PrivilegedActions", "Failed to convert")]
    [InlineData("--Agent:KmsgPath=kmsg", "Agent:KmsgPath", "must be an absolute path")]
    [InlineData("--Agent:KernelMessageRetention=00:00:00", "Agent:KernelMessageRetention", "must be positive")]
    [InlineData("--Nfs:StuckWaitChannels:0=rpc*wait", "Nfs:StuckWaitChannels:0", "must be a kernel function name")]
    public async Task Agent_InvalidSetting_ExitsAtStartNamingTheKey(string setting, string key, string reason)
    {
        using var agent = ManagedProcess.StartDotnet("agent", RepoLayout.AgentDll, ["--Agent:AggregatorAddress=http://127.0.0.1:9", setting]);

        var exit = await agent.WaitForExitAsync(ExitTimeout);

        Assert.Equal(78, exit);
        Assert.Contains("invalid configuration:", agent.Output, StringComparison.Ordinal);
        Assert.Contains(key, agent.Output, StringComparison.Ordinal);
        Assert.Contains(reason, agent.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AgentOnce_InvalidVipMode_ExitsNamingTheKey()
    {
        using var agent = ManagedProcess.StartDotnet("agent --once", RepoLayout.AgentDll,
            ["--once", "--Vip:Watch:0:Address=192.0.2.100", "--Vip:Watch:0:Mode=vrrp"]);

        Assert.Equal(78, await agent.WaitForExitAsync(ExitTimeout));
        Assert.Contains("Vip:Watch:0:Mode: 'vrrp' is not one of auto, metallb-l2, keepalived, kube-vip", agent.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Agent_InvalidEnvironmentVariable_ExitsAtStartNamingTheKey()
    {
        using var agent = ManagedProcess.StartDotnet("agent", RepoLayout.AgentDll, [],
            new Dictionary<string, string> { ["BRAMBLE_Agent__ProbeInterval"] = "-00:00:05" });

        var exit = await agent.WaitForExitAsync(ExitTimeout);

        Assert.Equal(78, exit);
        Assert.Contains("invalid configuration: Agent:ProbeInterval: must be at least", agent.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--Aggregator:GrpcUrl=nonsense", "Aggregator:GrpcUrl", "is not an absolute URL")]
    [InlineData("--Aggregator:HttpUrl=http://127.0.0.1", "Aggregator:HttpUrl", "must name a port")]
    [InlineData("--Aggregator:MaxMessageBytes=-5", "Aggregator:MaxMessageBytes", "must be between")]
    [InlineData("--Aggregator:MaxMessageBytes=lots", "Aggregator:MaxMessageBytes", "Failed to convert")]
    [InlineData("--Remediation:Mode=Approve", "Remediation:ApprovalToken", "required in approve mode")]
    [InlineData("--Remediation:ApprovalToken=short", "Remediation:ApprovalToken", "must be at least 16 characters")]
    [InlineData("--Remediation:Mode=Sometimes", "Remediation:Mode", "Failed to convert")]
    [InlineData("--Remediation:MaxUnhealthyShare=2", "Remediation:MaxUnhealthyShare", "must be between 0 and 1")]
    [InlineData("--Alerts:Webhooks:0:Name=phone", "Alerts:Webhooks:0:SecretFile", "required")]
    [InlineData("--Alerts:ResendInterval=00:05:00", "Alerts:ResendInterval", "must be below Alertmanager's resolve_timeout")]
    [InlineData("--Alerts:Alertmanagers:0:Url=am:9093", "Alerts:Alertmanagers:0:Url", "must be an absolute http(s) URL")]
    public async Task Aggregator_InvalidSetting_ExitsAtStartNamingTheKey(string setting, string key, string reason)
    {
        using var dataDirectory = new TempDirectory();
        using var aggregator = ManagedProcess.StartDotnet("aggregator", RepoLayout.AggregatorDll,
            [$"--Aggregator:DataDirectory={dataDirectory.Path}", "--Aggregator:AgentAuthentication=None", setting]);

        var exit = await aggregator.WaitForExitAsync(ExitTimeout);

        Assert.Equal(78, exit);
        Assert.Contains("invalid configuration:", aggregator.Output, StringComparison.Ordinal);
        Assert.Contains(key, aggregator.Output, StringComparison.Ordinal);
        Assert.Contains(reason, aggregator.Output, StringComparison.Ordinal);
        // One line per mistake, not the host's "Hosting failed to start" with a stack trace beside it.
        Assert.DoesNotContain("Hosting failed", aggregator.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(" at Microsoft.", aggregator.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Aggregator_DataDirectoryIsAFile_ExitsWithAClearReason()
    {
        using var scratch = new TempDirectory();
        var notADirectory = Path.Combine(scratch.Path, "data");
        await File.WriteAllTextAsync(notADirectory, "not a directory", TestContext.Current.CancellationToken);
        using var aggregator = ManagedProcess.StartDotnet("aggregator", RepoLayout.AggregatorDll,
            [$"--Aggregator:DataDirectory={notADirectory}", "--Aggregator:AgentAuthentication=None", $"--Aggregator:GrpcUrl=http://127.0.0.1:{FreePort.Next()}", $"--Aggregator:HttpUrl=http://127.0.0.1:{FreePort.Next()}"]);

        Assert.Equal(1, await aggregator.WaitForExitAsync(ExitTimeout));
        Assert.Contains("bramble-aggregator: cannot start:", aggregator.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", aggregator.Output, StringComparison.Ordinal);
    }
}
