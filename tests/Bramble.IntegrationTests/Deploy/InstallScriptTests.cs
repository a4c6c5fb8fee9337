using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Deploy;

/// <summary>
/// The release tarball as a user gets it: built by deploy/release/package.sh for this machine (framework-dependent,
/// from the solution's build, to keep CI short), unpacked, and its install.sh run into a scratch root (--root):
/// install, an edited configuration, upgrade, uninstall, purge. The units and polkit rules are whatever
/// deploy/systemd and deploy/polkit hold; their User= and ExecStart= lines are checked against what was installed.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class InstallScriptTests
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(2);
    private static readonly string[] UnitExtensions = [".service", ".socket", ".timer", ".path", ".target"];
    private const UnixFileMode Mode0644 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode Mode0755 = Mode0644 | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    [Fact]
    public async Task InstallUpgradeUninstallPurge_IntoAScratchRoot_LaysOutFiles_KeepsEditedConfiguration_RemovesWhatItInstalled()
    {
        Assert.SkipUnless(Environment.UserName == "root", "needs root: install.sh adds its system users with useradd --root, which chroots");
        Assert.SkipUnless(File.Exists("/usr/sbin/useradd"), "useradd (Debian package passwd) is not installed");
        using var work = new TempDirectory();
        var package = await BuildAndUnpackTarballAsync(work.Path);
        var root = Path.Combine(work.Path, "root");
        CreateMinimalRoot(root);
        var units = ShippedUnits();
        var users = UnitUsers(units);
        var agentConfig = Path.Combine(root, "etc/bramble/agent.json");
        var example = File.ReadAllText(Path.Combine(RepoLayout.Root, "deploy/release/config/agent.json"));

        // Install.
        var install = await RunAsync(Path.Combine(package, "install.sh"), "--agent", "--aggregator", "--root", root);
        Assert.Contains("installing " + Version(), install, StringComparison.Ordinal);
        foreach (var program in new[] { "agent/bramble-agent", "aggregator/bramble-aggregator", "cli/bramble" })
        {
            AssertMode(Path.Combine(root, "usr/lib/bramble", program), Mode0755);
        }

        Assert.Equal("/usr/lib/bramble/cli/bramble", new FileInfo(Path.Combine(root, "usr/bin/bramble")).LinkTarget);
        Assert.Equal(Version(), File.ReadLines(Path.Combine(root, "usr/lib/bramble/VERSION")).First());
        AssertMode(Path.Combine(root, "usr/lib/bramble/install.sh"), Mode0755);
        AssertMode(agentConfig, Mode0644);
        Assert.Equal(example, File.ReadAllText(agentConfig));
        AssertMode(Path.Combine(root, "etc/bramble/aggregator.json"), Mode0644);
        foreach (var unit in units)
        {
            var installed = Path.Combine(root, "usr/lib/systemd/system", Path.GetFileName(unit));
            AssertMode(installed, Mode0644);
            Assert.Equal(File.ReadAllText(unit), File.ReadAllText(installed));
            foreach (var executable in BrambleExecutables(unit))
            {
                Assert.True(File.Exists(root + executable), $"{Path.GetFileName(unit)} starts {executable}, which install.sh did not install");
                AssertMode(root + executable, Mode0755);
            }
        }

        foreach (var rule in PolkitRules())
        {
            AssertMode(Path.Combine(root, "etc/polkit-1/rules.d", Path.GetFileName(rule)), Mode0644);
        }

        // LoadCredential= directories must exist (even empty) or the unit does not start; root only.
        var credentials = UnitCredentialDirectories(units);
        foreach (var directory in credentials)
        {
            Assert.True(Directory.Exists(root + directory), $"install.sh did not make the credential directory {directory}");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(root + directory));
        }

        var passwd = File.ReadAllLines(Path.Combine(root, "etc/passwd"));
        foreach (var user in users)
        {
            var entry = Assert.Single(passwd, line => line.StartsWith(user + ":", StringComparison.Ordinal));
            Assert.EndsWith(":/usr/sbin/nologin", entry, StringComparison.Ordinal);
            Assert.True(int.Parse(entry.Split(':')[2], System.Globalization.CultureInfo.InvariantCulture) < 1000, $"{user} is not a system user: {entry}");
        }

        // The installed programs start (through their launchers, as the units start them).
        Assert.Contains("bramble-agent " + Version(), await RunAsync(Path.Combine(root, "usr/lib/bramble/agent/bramble-agent"), "--version"), StringComparison.Ordinal);
        Assert.Contains(Version(), await RunAsync(Path.Combine(root, "usr/lib/bramble/aggregator/bramble-aggregator"), "--version"), StringComparison.Ordinal);

        // The user edits the configuration; a file of the old version lies among the programs.
        const string Edited = "// mine\n{ \"Agent\": { \"NodeName\": \"pi-7\", \"AggregatorAddress\": \"http://192.0.2.10:9731\" } }\n";
        File.WriteAllText(agentConfig, Edited);
        var leftover = Path.Combine(root, "usr/lib/bramble/agent/Removed.In.This.Version.dll");
        File.WriteAllText(leftover, "old");

        // Upgrade, twice (the second run changes nothing more).
        for (var run = 0; run < 2; run++)
        {
            var upgrade = await RunAsync(Path.Combine(package, "install.sh"), "--agent", "--aggregator", "--root", root);
            Assert.Contains($"upgrading {Version()} to {Version()}", upgrade, StringComparison.Ordinal);
            Assert.Contains("kept your " + agentConfig, upgrade, StringComparison.Ordinal);
            Assert.Equal(Edited, File.ReadAllText(agentConfig));
            Assert.Equal(example, File.ReadAllText(agentConfig + ".new"));
            Assert.False(File.Exists(Path.Combine(root, "etc/bramble/aggregator.json.new")), "an unchanged configuration got a .json.new");
            Assert.False(File.Exists(leftover), "the upgrade kept a file the new version does not ship");
            AssertMode(Path.Combine(root, "usr/lib/bramble/agent/bramble-agent"), Mode0755);
            passwd = File.ReadAllLines(Path.Combine(root, "etc/passwd"));
            Assert.All(users, user => Assert.Single(passwd, line => line.StartsWith(user + ":", StringComparison.Ordinal)));
        }

        // systemd would have made the state directories; they outlive an uninstall.
        var states = UnitStateDirectories(units).Select(name => Path.Combine(root, "var/lib", name)).ToList();
        foreach (var state in states)
        {
            Directory.CreateDirectory(state);
            File.WriteAllText(Path.Combine(state, "bramble.db"), "state");
        }

        // Uninstall with the copy install.sh left in /usr/lib/bramble (the tarball may be long gone).
        var uninstall = await RunAsync(Path.Combine(root, "usr/lib/bramble/install.sh"), "--uninstall", "--root", root);
        Assert.Contains("kept /etc/bramble", uninstall, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(root, "usr/lib/bramble/agent")), "the agent's programs are still installed");
        Assert.False(Directory.Exists(Path.Combine(root, "usr/lib/bramble/aggregator")), "the aggregator's programs are still installed");
        Assert.False(File.Exists(Path.Combine(root, "usr/bin/bramble")) || new FileInfo(Path.Combine(root, "usr/bin/bramble")).LinkTarget is not null,
            "/usr/bin/bramble is still there");
        Assert.All(units, unit => Assert.False(File.Exists(Path.Combine(root, "usr/lib/systemd/system", Path.GetFileName(unit))), $"{unit} is still installed"));
        Assert.All(PolkitRules(), rule => Assert.False(File.Exists(Path.Combine(root, "etc/polkit-1/rules.d", Path.GetFileName(rule))), $"{rule} is still installed"));
        Assert.Equal(Edited, File.ReadAllText(agentConfig));
        Assert.All(credentials, directory => Assert.True(Directory.Exists(root + directory), $"{directory} was removed without --purge"));
        Assert.All(states, state => Assert.True(File.Exists(Path.Combine(state, "bramble.db")), $"{state} was removed without --purge"));
        passwd = File.ReadAllLines(Path.Combine(root, "etc/passwd"));
        Assert.All(users, user => Assert.Contains(passwd, line => line.StartsWith(user + ":", StringComparison.Ordinal)));

        // Purge.
        await RunAsync(Path.Combine(root, "usr/lib/bramble/install.sh"), "--uninstall", "--purge", "--root", root);
        Assert.False(Directory.Exists(Path.Combine(root, "etc/bramble")), "/etc/bramble survived --purge");
        Assert.False(Directory.Exists(Path.Combine(root, "usr/lib/bramble")), "/usr/lib/bramble survived --purge");
        Assert.All(states, state => Assert.False(Directory.Exists(state), $"{state} survived --purge"));
        passwd = File.ReadAllLines(Path.Combine(root, "etc/passwd"));
        Assert.All(users, user => Assert.DoesNotContain(passwd, line => line.StartsWith(user + ":", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task InstallScript_WithPurgeButNoUninstall_RefusesWithAReason()
    {
        using var work = new TempDirectory();
        using var script = ManagedProcess.Start("install.sh", "sh",
            [Path.Combine(RepoLayout.Root, "deploy/release/install.sh"), "--purge", "--root", work.Path]);
        Assert.NotEqual(0, await script.WaitForExitAsync(ScriptTimeout));
        Assert.Contains("--purge goes with --uninstall", script.Output, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(work.Path));
    }

    /// <summary>package.sh for this machine's runtime into <paramref name="work"/>, then the tarball unpacked there.</summary>
    private static async Task<string> BuildAndUnpackTarballAsync(string work)
    {
        var rid = RuntimeInformation.OSArchitecture switch
        {
            Architecture.X64 => "linux-x64",
            Architecture.Arm64 => "linux-arm64",
            Architecture.Arm => "linux-arm",
            var other => throw new PlatformNotSupportedException($"no release runtime for {other}"),
        };
        var output = Path.Combine(work, "out");
        using (var packaging = ManagedProcess.Start("package.sh", "bash",
            [Path.Combine(RepoLayout.Root, "deploy/release/package.sh"), "--framework-dependent", "--no-build", "-c", RepoLayout.Configuration, "-o", output, rid]))
        {
            var exit = await packaging.WaitForExitAsync(TimeSpan.FromMinutes(5));
            Assert.True(exit == 0, "package.sh failed:\n" + packaging.Output);
        }

        var name = $"bramble-{Version()}-{rid}";
        var tarball = Path.Combine(output, name + ".tar.gz");
        Assert.True(File.Exists(tarball), $"package.sh did not write {tarball}");
        using (var tar = ManagedProcess.Start("tar", "tar", ["-xzf", tarball, "-C", work]))
        {
            Assert.Equal(0, await tar.WaitForExitAsync(ScriptTimeout));
        }

        var package = Path.Combine(work, name);
        Assert.Equal(Version(), File.ReadLines(Path.Combine(package, "VERSION")).First());
        return package;
    }

    /// <summary>The passwd, group and shadow files useradd --root needs, and the shell it checks for.</summary>
    private static void CreateMinimalRoot(string root)
    {
        Directory.CreateDirectory(Path.Combine(root, "etc"));
        foreach (var file in new[] { "passwd", "group", "shadow", "gshadow" })
        {
            File.WriteAllText(Path.Combine(root, "etc", file), file is "passwd" ? "root:x:0:0:root:/root:/bin/sh\n" : file is "group" ? "root:x:0:\n" : "");
        }

        Directory.CreateDirectory(Path.Combine(root, "usr/sbin"));
        File.WriteAllText(Path.Combine(root, "usr/sbin/nologin"), "#!/bin/sh\nexit 1\n");
        File.SetUnixFileMode(Path.Combine(root, "usr/sbin/nologin"), Mode0755);
    }

    private static async Task<string> RunAsync(string executable, params string[] arguments)
    {
        using var process = ManagedProcess.Start(Path.GetFileName(executable), executable, arguments);
        var exit = await process.WaitForExitAsync(ScriptTimeout);
        Assert.True(exit == 0, $"{executable} {string.Join(' ', arguments)} exited {exit}:\n{process.Output}");
        return process.Output;
    }

    private static void AssertMode(string path, UnixFileMode expected)
    {
        Assert.True(File.Exists(path), $"{path} is missing");
        Assert.Equal(expected, File.GetUnixFileMode(path));
    }

    private static string Version() =>
        VersionElement().Match(File.ReadAllText(Path.Combine(RepoLayout.Root, "Directory.Build.props"))).Groups["v"].Value;

    private static List<string> ShippedUnits()
    {
        var directory = Path.Combine(RepoLayout.Root, "deploy/systemd");
        return Directory.Exists(directory)
            ? [.. Directory.GetFiles(directory).Where(f => UnitExtensions.Contains(Path.GetExtension(f), StringComparer.Ordinal)).Order(StringComparer.Ordinal)]
            : [];
    }

    private static List<string> PolkitRules()
    {
        var directory = Path.Combine(RepoLayout.Root, "deploy/polkit");
        return Directory.Exists(directory) ? [.. Directory.GetFiles(directory, "*.rules")] : [];
    }

    /// <summary>User= of units that do not use DynamicUser=, except root: the users install.sh must create.</summary>
    private static List<string> UnitUsers(IEnumerable<string> units) =>
        [.. units.Select(File.ReadAllLines)
            .Where(lines => !lines.Any(l => DynamicUserOn().IsMatch(l)))
            .SelectMany(lines => lines.Select(l => UserLine().Match(l)).Where(m => m.Success).Select(m => m.Groups["u"].Value))
            .Where(u => u != "root")
            .Distinct(StringComparer.Ordinal)];

    private static List<string> UnitStateDirectories(IEnumerable<string> units) =>
        [.. units.SelectMany(File.ReadAllLines)
            .Where(l => l.StartsWith("StateDirectory=", StringComparison.Ordinal))
            .SelectMany(l => l["StateDirectory=".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(d => d.Split(':')[0])
            .Distinct(StringComparer.Ordinal)];

    /// <summary>The /etc/bramble/credentials/… directories of the units' LoadCredential=NAME:PATH lines.</summary>
    private static List<string> UnitCredentialDirectories(IEnumerable<string> units) =>
        [.. units.SelectMany(File.ReadAllLines)
            .Select(l => CredentialLine().Match(l)).Where(m => m.Success).Select(m => m.Groups["path"].Value)
            .Distinct(StringComparer.Ordinal)];

    /// <summary>The /usr/lib/bramble/… programs a unit's Exec*= lines start (after systemd's -, +, !, @ prefixes).</summary>
    private static IEnumerable<string> BrambleExecutables(string unit) =>
        File.ReadAllLines(unit).Select(l => ExecLine().Match(l)).Where(m => m.Success).Select(m => m.Groups["path"].Value);

    [GeneratedRegex(@"<Version>(?<v>[^<]+)</Version>")]
    private static partial Regex VersionElement();

    [GeneratedRegex(@"^User=(?<u>[A-Za-z0-9_][A-Za-z0-9_.-]*)\s*$")]
    private static partial Regex UserLine();

    [GeneratedRegex(@"^DynamicUser=(yes|true|1|on)\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex DynamicUserOn();

    [GeneratedRegex(@"^LoadCredential=[^:]*:(?<path>/etc/bramble/credentials/\S+)\s*$")]
    private static partial Regex CredentialLine();

    [GeneratedRegex(@"^Exec[A-Za-z]*=[-+!@:|]*(?<path>/usr/lib/bramble/\S+)")]
    private static partial Regex ExecLine();
}
