using System.Text.RegularExpressions;
using Bramble.IntegrationTests.Infrastructure;
using Bramble.Testing;

namespace Bramble.IntegrationTests.Deploy;

/// <summary>
/// A scratch file-system root for `systemd-analyze --root`: Bramble's units from deploy/systemd as installed
/// (/usr/lib/systemd/system), the host's targets and slices they order against, a stub for each of Bramble's own
/// binaries (verify insists every ExecStart= exists) and a copy of each system binary they run, which must exist on
/// this Debian host at the very path the unit names.
/// </summary>
public sealed partial class SystemdUnitRoot : IDisposable
{
    public const string UnitDirectory = "usr/lib/systemd/system";

    private static readonly string[] HostUnits =
    [
        "sysinit.target", "basic.target", "network.target", "network-online.target", "multi-user.target",
        "shutdown.target", "sockets.target", "paths.target", "timers.target", "slices.target", "local-fs.target",
        "swap.target", "-.slice", "system.slice",
    ];

    private readonly TempDirectory _directory = new();

    public SystemdUnitRoot()
    {
        var units = System.IO.Path.Combine(Path, UnitDirectory);
        Directory.CreateDirectory(units);
        foreach (var unit in HostUnits)
        {
            var host = System.IO.Path.Combine("/usr/lib/systemd/system", unit);
            if (File.Exists(host))
            {
                File.Copy(host, System.IO.Path.Combine(units, unit));
            }
        }

        foreach (var file in ShippedUnits)
        {
            File.Copy(file, System.IO.Path.Combine(units, System.IO.Path.GetFileName(file)));
            foreach (var command in Commands(File.ReadAllText(file)))
            {
                Provide(command, System.IO.Path.GetFileName(file));
            }
        }
    }

    public string Path => _directory.Path;

    /// <summary>Every unit file Bramble ships.</summary>
    public static IReadOnlyList<string> ShippedUnits =>
        [.. Directory.GetFiles(System.IO.Path.Combine(RepoLayout.Root, "deploy", "systemd"), "*.service").Order(StringComparer.Ordinal)];

    /// <summary>The absolute executables of every Exec*= line, without systemd's prefixes (-, @, :, +, !, |).</summary>
    public static IEnumerable<string> Commands(string unitText) =>
        ExecLine().Matches(unitText).Select(m => m.Groups["path"].Value).Distinct(StringComparer.Ordinal);

    public void Dispose() => _directory.Dispose();

    private void Provide(string command, string unit)
    {
        var target = System.IO.Path.Combine(Path, command.TrimStart('/'));
        if (File.Exists(target))
        {
            return;
        }

        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
        if (command.StartsWith("/usr/lib/bramble/", StringComparison.Ordinal))
        {
            File.WriteAllText(target, "#!/bin/sh\nexit 0\n");
        }
        else
        {
            Assert.True(File.Exists(command), $"{unit} runs {command}, which this Debian host does not have at that path");
            File.Copy(command, target);
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [GeneratedRegex(@"^Exec[A-Za-z]*=[-@:+!|]*(?<path>/\S+)", RegexOptions.Multiline)]
    private static partial Regex ExecLine();
}
