using Bramble.Agent.Doctor;
using Bramble.Agent.Doctor.Checks;

namespace Bramble.Agent.Tests.Doctor;

public sealed class DoctorRunnerTests
{
    [Fact]
    public void Run_AFailingCheck_ExitCodeOne()
    {
        var fixture = new DoctorFixture().Interface("wlan0", wireless: true).Proc("swaps", "Filename Type Size Used Priority\n");
        var report = DoctorRunner.Run("pi-1", fixture.Context(), [new VipInterfaceCheck(), new SwapCheck()]);
        Assert.Equal(1, report.ExitCode);
    }

    [Fact]
    public void Run_WarningsAndNotApplicable_ExitCodeZero()
    {
        var fixture = new DoctorFixture().Interface("eth0").Proc("swaps", "Filename Type Size Used Priority\n/dev/zram0 partition 1003516 0 100\n");
        var report = DoctorRunner.Run("pi-1", fixture.Context(), [new VipInterfaceCheck(), new SwapCheck(), new IpvsStrictArpCheck()]);
        Assert.Equal([DoctorStatus.Ok, DoctorStatus.Warn, DoctorStatus.NotApplicable], report.Findings.Select(f => f.Status));
        Assert.Equal(0, report.ExitCode);
    }

    [Fact]
    public void Run_CheckThrows_WarnsAndGoesOn()
    {
        var report = DoctorRunner.Run("pi-1", new DoctorFixture().Proc("swaps", "Filename\n").Context(), [new ThrowingCheck(), new SwapCheck()]);
        Assert.Equal(DoctorStatus.Warn, report.Findings[0].Status);
        Assert.Contains("InvalidOperationException: broken", report.Findings[0].Evidence, StringComparison.Ordinal);
        Assert.Equal(DoctorStatus.Ok, report.Findings[1].Status);
    }

    [Fact]
    public void Format_OneLinePerFindingWithFixAndRunbook()
    {
        var fixture = new DoctorFixture().Interface("wlan0", wireless: true);
        var text = DoctorTextWriter.Format(DoctorRunner.Run("pi-1", fixture.Context(), [new VipInterfaceCheck(), new IpvsStrictArpCheck()]));
        var lines = text.TrimEnd('\n').Split('\n');
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("fail           vip-interface         wlan0 (default route; no Vip:Watch) is Wi-Fi and not promiscuous", lines[1], StringComparison.Ordinal);
        Assert.EndsWith("| docs/runbooks/vip-interface.md", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("not applicable ipvs-strict-arp", lines[2], StringComparison.Ordinal);
        Assert.Equal("doctor: 1 not applicable, 1 fail; exit 1", lines[3]);
    }

    [Fact]
    public void AllChecks_EachHasARunbook()
    {
        var runbooks = Path.Combine(Bramble.Testing.TempDirectory.RepoRoot(), "docs/runbooks");
        Assert.All(DoctorRunner.AllChecks, c => Assert.True(File.Exists(Path.Combine(runbooks, c.Name + ".md")), c.Name + ".md is missing"));
        Assert.Equal(DoctorRunner.AllChecks.Count, DoctorRunner.AllChecks.Select(c => c.Name).Distinct(StringComparer.Ordinal).Count());
    }

    private sealed class ThrowingCheck : IDoctorCheck
    {
        public string Name => "throwing";

        public IReadOnlyList<DoctorFinding> Run(DoctorContext context) => throw new InvalidOperationException("broken");
    }
}
