using Bramble.IntegrationTests.Infrastructure;
using Bramble.Testing;

namespace Bramble.IntegrationTests.Deploy;

/// <summary>
/// deploy/polkit/50-bramble-agent.rules as a real polkitd judges it: the user bramble-agent may restart the listed units
/// and start only Bramble's two helper units; everything else it asks is refused, and other users are left to the
/// ordinary defaults. polkitd and a private system bus run in a throw-away mount and PID namespace (polkit_check.sh).
/// </summary>
public sealed class PolkitRuleTests
{
    private const string ManageUnits = "org.freedesktop.systemd1.manage-units";

    private static readonly string[] Tools = ["/usr/lib/polkit-1/polkitd", "/usr/bin/pkcheck", "/usr/bin/dbus-daemon", "/usr/bin/dbus-send", "/usr/bin/unshare", "/usr/bin/setpriv"];

    [Fact]
    public async Task Rule_BrambleAgent_MayRestartListedUnitsAndStartOnlyTheHelpers()
    {
        Assert.SkipUnless(Environment.UserName == "root", "needs root: polkitd runs in a private mount and PID namespace (unshare)");
        var missing = Tools.Where(t => !File.Exists(t)).ToList();
        Assert.SkipWhen(missing.Count > 0, $"missing {string.Join(", ", missing)} (Debian packages polkitd, dbus, util-linux; ./test.sh installs them as root)");

        // pkcheck: 0 authorized, 1 not authorized, 2 would need an administrator's password (the default, not handled here).
        var cases = new (string Case, int Expected)[]
        {
            ($"bramble-agent {ManageUnits} kubelet.service restart", 0),
            ($"bramble-agent {ManageUnits} k3s-agent.service restart", 0),
            ($"bramble-agent {ManageUnits} keepalived.service restart", 0),
            ($"bramble-agent {ManageUnits} bramble-remount@mnt-my\\x2dnas.service start", 0),
            ($"bramble-agent {ManageUnits} bramble-reboot.service start", 0),
            ($"bramble-agent {ManageUnits} kubelet.service stop", 1),
            ($"bramble-agent {ManageUnits} kubelet.service start", 1),
            ($"bramble-agent {ManageUnits} ssh.service restart", 1),
            ($"bramble-agent {ManageUnits} bramble-agent.service restart", 1),
            ($"bramble-agent {ManageUnits} bramble-remount@mnt-nas.service stop", 1),
            ($"bramble-agent {ManageUnits} bramble-reboot.service restart", 1),
            ($"bramble-agent {ManageUnits} bramble-remount@.service start", 1),
            ($"bramble-agent {ManageUnits} reboot.target start", 1),
            ("bramble-agent org.freedesktop.login1.reboot - -", 1),
            ($"nobody {ManageUnits} kubelet.service restart", 2),
        };

        using var work = new TempDirectory();
        var script = Path.Combine(RepoLayout.Root, "tests", "Bramble.IntegrationTests", "Deploy", "polkit_check.sh");
        var rules = Path.Combine(RepoLayout.Root, "deploy", "polkit", "50-bramble-agent.rules");
        using var check = ManagedProcess.Start(
            "polkit_check",
            "/usr/bin/unshare",
            ["--mount", "--propagation", "private", "--pid", "--fork", "--mount-proc", "/bin/sh", script, rules, work.Path],
            stdin: string.Join('\n', cases.Select(c => c.Case)) + "\n");
        var exit = await check.WaitForExitAsync(TimeSpan.FromMinutes(2));
        Assert.True(exit == 0, $"polkit_check.sh exited {exit}:\n{check.Output}");

        var answers = check.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(" => ", 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        var wrong = cases
            .Where(c => !answers.TryGetValue(c.Case, out var got) || got != c.Expected.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Select(c => $"{c.Case}: expected {c.Expected}, polkit answered {answers.GetValueOrDefault(c.Case, "nothing")}")
            .ToList();
        Assert.True(wrong.Count == 0, string.Join('\n', wrong) + "\n\n" + check.Output);
    }
}
