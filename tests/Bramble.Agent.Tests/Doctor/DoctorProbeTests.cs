using Bramble.Agent.Doctor;
using Bramble.Agent.Hosting;
using Bramble.Agent.Linux.FileSystem;
using Bramble.Agent.Probes.Vip;
using Bramble.Agent.Probes.Vitals;
using Bramble.Protos.V1;
using Bramble.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Bramble.Agent.Tests.Doctor;

public sealed class DoctorProbeTests
{
    private readonly FakeTimeProvider _time = new(DoctorFixture.Now);
    private readonly InMemoryFileSystem _files = new();

    [Fact]
    public async Task Probe_SummaryInFirstReportThenOnlyOnChangeOrResend()
    {
        _files.Add("/proc/swaps", "Filename Type Size Used Priority\n");
        var probe = Probe(new DoctorOptions { Interval = TimeSpan.FromMinutes(1), ResendInterval = TimeSpan.FromMinutes(10) });

        var first = await ReportAsync(probe);
        Assert.NotNull(first.Doctor);
        Assert.Contains(first.Doctor.Findings, f => f is { Check: "swap", Status: Protos.V1.DoctorStatus.Ok });

        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Null((await ReportAsync(probe)).Doctor);

        // A changed outcome goes out at once, after the next run (Interval).
        _files.Add("/proc/swaps", "Filename Type Size Used Priority\n/var/swap file 102396 0 -2\n");
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Null((await ReportAsync(probe)).Doctor);
        _time.Advance(TimeSpan.FromSeconds(30));
        var changed = await ReportAsync(probe);
        Assert.Contains(changed.Doctor!.Findings, f => f is { Check: "swap", Status: Protos.V1.DoctorStatus.Fail });

        // Unchanged: again only after ResendInterval.
        _time.Advance(TimeSpan.FromMinutes(9));
        Assert.Null((await ReportAsync(probe)).Doctor);
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.NotNull((await ReportAsync(probe)).Doctor);
    }

    [Fact]
    public async Task Probe_FingerprintFollowsStatuses()
    {
        _files.Add("/proc/swaps", "Filename Type Size Used Priority\n");
        var probe = Probe(new DoctorOptions { Interval = TimeSpan.FromSeconds(1) });
        var before = (await probe.ProbeAsync(CancellationToken.None)).Fingerprint;
        _files.Add("/proc/swaps", "Filename Type Size Used Priority\n/dev/zram0 partition 1003516 0 100\n");
        _time.Advance(TimeSpan.FromSeconds(1));
        var afterResult = await probe.ProbeAsync(CancellationToken.None);
        var after = afterResult.Fingerprint;
        Assert.Equal(ProbeStatus.Ok, afterResult.Status);
        Assert.Matches(@"^\d+ fail, \d+ warn$", afterResult.Detail);
        Assert.Contains("swap=Ok", before, StringComparison.Ordinal);
        Assert.Contains("swap=Warn", after, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Doctor:Interval", 0, 600)]
    [InlineData("Doctor:Interval", 2 * 86400, 600)]
    [InlineData("Doctor:ResendInterval", 3600, 0)]
    public void Validator_OutOfRange_NamesTheKey(string key, int intervalSeconds, int resendSeconds)
    {
        var result = new DoctorOptionsValidator().Validate(null, new DoctorOptions { Interval = TimeSpan.FromSeconds(intervalSeconds), ResendInterval = TimeSpan.FromSeconds(resendSeconds) });
        Assert.True(result.Failed);
        Assert.StartsWith(key + ":", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void ShippedAppSettings_BindsAndValidates()
    {
        var path = Path.Combine(TempDirectory.RepoRoot(), "agent", "Bramble.Agent", "appsettings.json");
        var section = new ConfigurationBuilder().AddJsonFile(path, optional: false).Build().GetSection(DoctorOptions.Section);
        var options = section.Get<DoctorOptions>(binder => binder.ErrorOnUnknownConfiguration = true);
        Assert.NotNull(options);
        Assert.Equal(TimeSpan.FromHours(1), options.Interval);
        Assert.True(new DoctorOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void Validator_Defaults_Succeed()
    {
        Assert.True(new DoctorOptionsValidator().Validate(null, new DoctorOptions()).Succeeded);
    }

    private DoctorProbe Probe(DoctorOptions options)
    {
        var factory = new DoctorContextFactory(
            _files,
            new HostPaths("/proc", "/sys"),
            _time,
            Options.Create(new AgentOptions { NodeName = "pi-1", KmsgPath = "/nonexistent/kmsg" }),
            Options.Create(new VitalsOptions { HostRoot = "/host" }),
            Options.Create(new VipOptions()),
            new SilentPowerSave());
        return new DoctorProbe(factory, _time, Options.Create(options));
    }

    private static async Task<Report> ReportAsync(DoctorProbe probe)
    {
        var result = await probe.ProbeAsync(CancellationToken.None);
        var report = new Report();
        result.Contribute!(report);
        return report;
    }

    private sealed class SilentPowerSave : IWifiPowerSaveReader
    {
        public (bool? On, string How) Read(string interfaceName) => (null, "not asked");
    }
}
