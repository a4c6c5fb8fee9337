using Bramble.Aggregator.Alerts;
using Bramble.Testing;
using Microsoft.Extensions.Configuration;

namespace Bramble.Aggregator.Tests.Alerts;

public sealed class AlertsOptionsValidatorTests : IDisposable
{
    private readonly TempDirectory _credentials = new();

    public void Dispose() => _credentials.Dispose();

    [Fact]
    public void Validate_Defaults_Succeed()
    {
        Assert.True(new AlertsOptionsValidator(null).Validate(null, new AlertsOptions()).Succeeded);
    }

    [Fact]
    public void Validate_WebhookWithKeyInCredentialsDirectory_Succeeds()
    {
        File.WriteAllText(Path.Combine(_credentials.Path, "phone.key"), "0123456789abcdef0123\n");
        var options = new AlertsOptions { Webhooks = [new WebhookTarget { Name = "phone", Url = "http://127.0.0.1:1/hook", SecretFile = "phone.key", MinSeverity = "warning" }] };

        var result = new AlertsOptionsValidator(_credentials.Path).Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    public static TheoryData<string, Action<AlertsOptions>> Broken => new()
    {
        { "Alerts:ClusterName", o => o.ClusterName = " " },
        { "Alerts:ExternalUrl", o => o.ExternalUrl = "bramble.lan" },
        { "Alerts:MaxAge", o => o.MaxAge = TimeSpan.Zero },
        { "Alerts:ResendInterval", o => o.ResendInterval = TimeSpan.FromMinutes(5) },
        { "Alerts:RetryMaxDelay", o => o.RetryMaxDelay = TimeSpan.FromMilliseconds(10) },
        { "Alerts:MaxRetries", o => o.MaxRetries = 0 },
        { "Alerts:BreakDuration", o => o.BreakDuration = TimeSpan.FromMilliseconds(100) },
        { "Alerts:PollInterval", o => o.PollInterval = TimeSpan.Zero },
        { "Alerts:InboundToken", o => o.InboundToken = "short" },
        { "Alerts:InboundToken: set either", o => (o.InboundToken, o.InboundTokenFile) = ("0123456789abcdef0", "/etc/hostname") },
        { "Alerts:InboundTokenFile", o => o.InboundTokenFile = "/nonexistent/bramble-am.token" },
        { "Alerts:InboundExpiry", o => o.InboundExpiry = TimeSpan.Zero },
        { "Alerts:InboundMaxBytes", o => o.InboundMaxBytes = 10 },
        { "Alerts:Alertmanagers:0:Url", o => o.Alertmanagers.Add(new AlertmanagerTarget { Url = "ftp://am" }) },
        { "Alerts:Alertmanagers:0:Timeout", o => o.Alertmanagers.Add(new AlertmanagerTarget { Url = "http://am:9093", Timeout = TimeSpan.Zero }) },
        { "Alerts:Webhooks:0:SecretFile: required", o => o.Webhooks.Add(new WebhookTarget { Name = "a", Url = "http://h/" }) },
        { "Alerts:Webhooks:0:SecretFile: no such file", o => o.Webhooks.Add(new WebhookTarget { Name = "a", Url = "http://h/", SecretFile = "/nonexistent/key" }) },
        { "Alerts:Webhooks:0:Name", o => o.Webhooks.Add(new WebhookTarget { Name = "alertmanager-0", Url = "http://h/" }) },
        { "Alerts:Webhooks:1:Name", o => o.Webhooks.AddRange([new WebhookTarget { Name = "a", Url = "http://h/" }, new WebhookTarget { Name = "a", Url = "http://h/" }]) },
        { "Alerts:Webhooks:0:Url", o => o.Webhooks.Add(new WebhookTarget { Name = "a", Url = "not a url" }) },
        { "Alerts:Webhooks:0:MinSeverity", o => o.Webhooks.Add(new WebhookTarget { Name = "a", Url = "http://h/", MinSeverity = "loud" }) },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void Validate_BrokenSetting_FailsNamingTheKey(string key, Action<AlertsOptions> breakIt)
    {
        ArgumentNullException.ThrowIfNull(breakIt);
        var options = new AlertsOptions();
        breakIt(options);

        var result = new AlertsOptionsValidator(null).Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(key, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ShortKey_Fails()
    {
        var path = Path.Combine(_credentials.Path, "short.key");
        File.WriteAllText(path, "short\n");
        var options = new AlertsOptions { Webhooks = [new WebhookTarget { Name = "a", Url = "http://h/", SecretFile = path }] };

        var result = new AlertsOptionsValidator(null).Validate(null, options);

        Assert.Contains("Alerts:Webhooks:0:SecretFile: the key", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void ShippedAppSettings_BindsAndValidates()
    {
        var path = Path.Combine(TempDirectory.RepoRoot(), "aggregator", "Bramble.Aggregator", "appsettings.json");
        var configuration = new ConfigurationBuilder().AddJsonFile(path, optional: false).Build();
        var section = configuration.GetSection(AlertsOptions.Section);

        var options = section.Get<AlertsOptions>(binder => binder.ErrorOnUnknownConfiguration = true);

        Assert.True(section.Exists());
        Assert.NotNull(options);
        var result = new AlertsOptionsValidator(null).Validate(null, options);
        Assert.True(result.Succeeded, result.FailureMessage);
    }
}
