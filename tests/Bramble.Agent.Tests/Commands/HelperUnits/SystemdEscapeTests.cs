using System.Diagnostics;
using Bramble.Agent.Commands.HelperUnits;

namespace Bramble.Agent.Tests.Commands.HelperUnits;

public sealed class SystemdEscapeTests
{
    public static TheoryData<string, string> Paths => new()
    {
        { "/mnt/nas", "mnt-nas" },
        { "/mnt/my-data/", "mnt-my\\x2ddata" },
        { "//srv//k8s", "srv-k8s" },
        { "/", "-" },
        { "/mnt/.hidden", "mnt-.hidden" },
        { "/.hidden", "\\x2ehidden" },
        { "/mnt/a b\\c", "mnt-a\\x20b\\x5cc" },
        { "/mnt/médias", "mnt-m\\xc3\\xa9dias" },
        { "/mnt/x:y_z.1", "mnt-x:y_z.1" },
    };

    [Theory]
    [MemberData(nameof(Paths))]
    public void Path_MountPoint_EscapesAsSystemdDoes(string path, string expected) =>
        Assert.Equal(expected, SystemdEscape.Path(path));

    [Theory]
    [InlineData("mnt/nas")]
    [InlineData("/mnt/../etc")]
    [InlineData("/mnt/./nas")]
    public void Path_RelativeOrUnnormalised_IsRefused(string path) => Assert.Null(SystemdEscape.Path(path));

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Path_MountPoint_MatchesSystemdEscapeItself(string path, string expected)
    {
        const string tool = "/usr/bin/systemd-escape";
        Assert.SkipUnless(File.Exists(tool), $"{tool} is missing (Debian package systemd)");
        var info = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("--path");
        info.ArgumentList.Add(path);
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.Equal(0, process.ExitCode);
        Assert.Equal(expected, output.Trim());
    }
}
