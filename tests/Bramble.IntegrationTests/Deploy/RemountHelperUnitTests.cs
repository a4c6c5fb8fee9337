using System.Diagnostics;
using System.Text.RegularExpressions;
using Bramble.IntegrationTests.Infrastructure;
using Bramble.Testing;

namespace Bramble.IntegrationTests.Deploy;

/// <summary>
/// bramble-remount@.service's guard, run as the unit runs it (its own ExecStartPre= line, %f filled in as systemd
/// does) against a fixture fstab instead of the machine's: only a mount point with an NFS entry passes.
/// </summary>
public sealed partial class RemountHelperUnitTests
{
    private const string Fstab = """
        # <file system>                <mount point>   <type>  <options>
        /dev/mmcblk0p2                  /               ext4    defaults,noatime  0 1
        192.0.2.10:/volume1/app         /mnt/nas        nfs     rw,bg,hard,vers=3,tcp,timeo=600  0 0
        nas.lan:/export/media           /mnt/my-media   nfs4    rw,hard  0 0
        /dev/sda1                       /data           ext4    defaults  0 2
        """;

    [Theory]
    [InlineData("/mnt/nas", 0)]
    [InlineData("/mnt/my-media", 0)]
    [InlineData("/data", 1)]
    [InlineData("/", 1)]
    [InlineData("/etc", 1)]
    [InlineData("/mnt", 1)]
    public async Task Guard_FstabEntry_PassesOnlyForNfs(string mountPoint, int expectedExit)
    {
        var unit = File.ReadAllText(Path.Combine(RepoLayout.Root, "deploy", "systemd", "bramble-remount@.service"));
        var guard = GuardLine().Match(unit);
        Assert.True(guard.Success, "bramble-remount@.service has no `ExecStartPre=/usr/bin/findmnt --fstab …` guard");
        var arguments = guard.Groups["args"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        Assert.SkipUnless(File.Exists(guard.Groups["tool"].Value), $"{guard.Groups["tool"].Value} is missing (Debian package util-linux)");

        using var directory = new TempDirectory();
        var fstab = Path.Combine(directory.Path, "fstab");
        File.WriteAllText(fstab, Fstab);
        var info = new ProcessStartInfo(guard.Groups["tool"].Value) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            // %f is the instance unescaped, with a leading '/'.
            info.ArgumentList.Add(argument == "%f" ? mountPoint : argument);
        }

        info.ArgumentList.Add("--tab-file");
        info.ArgumentList.Add(fstab);
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.True(expectedExit == process.ExitCode, $"findmnt {string.Join(' ', info.ArgumentList)} exited {process.ExitCode}:\n{output}");
    }

    [GeneratedRegex(@"^ExecStartPre=(?<tool>/usr/bin/findmnt) (?<args>--fstab .*%f.*)$", RegexOptions.Multiline)]
    private static partial Regex GuardLine();
}
