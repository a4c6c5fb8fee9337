using System.Diagnostics;
using System.Text.Json;
using Bramble.IntegrationTests.Infrastructure;
using Bramble.IntegrationTests.Nfs;
using Bramble.Testing;

namespace Bramble.IntegrationTests.Doctor;

/// <summary>
/// The root-squash check of `bramble-agent doctor` against the FUSE fault file system declared as an NFS mount (this
/// kernel has no NFS client, LAB.md section 2): its isolated child creates a file as root and reads the owner back.
/// </summary>
public sealed class DoctorRootSquashTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task Doctor_FuseMount_SquashWarnsOkIsOkAndHangIsNotAnsweringWithinTheDeadline()
    {
        var unavailable = FuseFaultLab.Unavailable();
        Assert.SkipWhen(unavailable is not null, unavailable ?? string.Empty);
        using var lab = await FuseFaultLab.StartAsync();

        lab.SetMode("squash");
        var (squashed, _) = await RootSquashFindingAsync(lab);
        Assert.Equal("warn", squashed.Status);
        Assert.Contains("owned by 65534 (nobody): root squash is on", squashed.Evidence, StringComparison.Ordinal);
        Assert.Contains("no_root_squash", squashed.Fix, StringComparison.Ordinal);

        lab.SetMode("ok");
        var (plain, _) = await RootSquashFindingAsync(lab);
        Assert.Equal("ok", plain.Status);
        Assert.Contains("owned by root", plain.Evidence, StringComparison.Ordinal);

        lab.SetMode("hang");
        var (hung, elapsed) = await RootSquashFindingAsync(lab);
        Assert.Equal("warn", hung.Status);
        Assert.Contains("unknown: mount not answering", hung.Evidence, StringComparison.Ordinal);
        // Bounded, not timed: the doctor returned after its child's deadline instead of hanging with the mount
        // (a generous margin for the child's own start-up on this loaded machine).
        Assert.True(elapsed < Deadline + TimeSpan.FromSeconds(30), $"the doctor on a hung mount took {elapsed}");

        lab.SetMode("ok");
    }

    private async Task<((string Status, string Evidence, string Fix) Finding, TimeSpan Elapsed)> RootSquashFindingAsync(FuseFaultLab lab)
    {
        var clock = Stopwatch.StartNew();
        using var doctor = ManagedProcess.StartDotnet("agent doctor", RepoLayout.AgentDll,
        [
            "doctor", "--json",
            $"--Agent:ProcRoot={lab.ProcRoot}",
            $"--Agent:KmsgPath={Path.Combine(_host.Path, "kmsg")}",
            $"--Vitals:HostRoot={_host.Path}",
            $"--Nfs:ProbeDeadline={Deadline:c}",
            "--Agent:NodeName=pi-squash",
        ]);
        var exit = await doctor.WaitForExitAsync(ExitTimeout);
        var elapsed = clock.Elapsed;
        TestContext.Current.TestOutputHelper?.WriteLine($"doctor: exit {exit} after {elapsed.TotalSeconds:0.00} s");
        Assert.True(exit is 0 or 1, doctor.Output);

        var output = doctor.Output;
        using var json = JsonDocument.Parse(output[output.IndexOf('{', StringComparison.Ordinal)..(output.LastIndexOf('}') + 1)]);
        var findings = json.RootElement.GetProperty("findings").EnumerateArray()
            .Where(f => f.GetProperty("check").GetString() == "nfs-root-squash")
            .Select(f => (Status: f.GetProperty("status").GetString()!, Evidence: f.GetProperty("evidence").GetString()!, Fix: f.TryGetProperty("fix", out var fix) ? fix.GetString() ?? string.Empty : string.Empty))
            .ToArray();
        // The fixture's second mount is a pod volume: never written, so never judged.
        Assert.Contains(findings, f => f is { Status: "skipped" } && f.Evidence.Contains("a pod's volume", StringComparison.Ordinal));
        var finding = Assert.Single(findings, f => f.Evidence.StartsWith(lab.MountPoint + ":", StringComparison.Ordinal));
        TestContext.Current.TestOutputHelper?.WriteLine($"  {finding.Status}: {finding.Evidence}");
        return (finding, elapsed);
    }
}
