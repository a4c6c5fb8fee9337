using System.Diagnostics;
using System.Globalization;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Nfs;

/// <summary>
/// The FUSE fault file system of LAB.md section 2, declared as an NFS mount in a proc root of its own (the fixture
/// templates rendered with the FUSE mount point; the NAS address rewritten to 127.0.0.1 so nothing leaves the host).
/// Teardown always runs, with timeouts: mode ok, abort the FUSE connection, lazy unmount, kill the daemon by PID.
/// The mount itself is never stat'ed or listed by the test.
/// </summary>
public sealed class FuseFaultLab : IDisposable
{
    public const string Python = "/usr/bin/python3";

    private readonly ManagedProcess _daemon;

    private FuseFaultLab(string root, ManagedProcess daemon)
    {
        Root = root;
        _daemon = daemon;
    }

    public string Root { get; }

    public string MountPoint => Path.Combine(Root, "mnt");

    public string ProcRoot => Path.Combine(Root, "proc");

    private string ControlFile => Path.Combine(Root, "control");

    /// <summary>Why this machine cannot run the lab, or null when it can.</summary>
    public static string? Unavailable()
    {
        if (Environment.UserName != "root")
        {
            return "the FUSE lab needs root";
        }

        if (!File.Exists("/dev/fuse"))
        {
            return "/dev/fuse is missing";
        }

        using var probe = Process.Start(new ProcessStartInfo(Python, ["-c", "import fusepy"]) { RedirectStandardError = true });
        if (probe is null || !probe.WaitForExit(10_000) || probe.ExitCode != 0)
        {
            return "python3-fusepy is not installed (./test.sh installs fuse3 and python3-fusepy as root)";
        }

        return null;
    }

    /// <param name="nasAddress">What the fixtures' NAS (192.0.2.10) becomes: loopback by default; the NAS address
    /// itself for agents running inside a lab where the test's own NFS server holds it (<see cref="NfsServerLab"/>).</param>
    public static async Task<FuseFaultLab> StartAsync(string nasAddress = "127.0.0.1")
    {
        var root = Directory.CreateTempSubdirectory("bt-nfslab-").FullName;
        Directory.CreateDirectory(Path.Combine(root, "backing"));
        Directory.CreateDirectory(Path.Combine(root, "mnt"));
        File.WriteAllText(Path.Combine(root, "control"), "ok\n");
        var script = Path.Combine(AppContext.BaseDirectory, "Nfs", "fault_fs.py");
        // setsid: the daemon must outlive nothing but this test, and not share a session that could signal it.
        var daemon = ManagedProcess.Start("faultfs", "setsid",
            ["--wait", Python, script, Path.Combine(root, "backing"), Path.Combine(root, "mnt"), Path.Combine(root, "control")]);
        var lab = new FuseFaultLab(root, daemon);
        try
        {
            var clock = Stopwatch.StartNew();
            while (lab.FuseMinor() is null)
            {
                if (clock.Elapsed > TimeSpan.FromSeconds(15) || daemon.HasExited)
                {
                    throw new InvalidOperationException($"the FUSE file system did not mount. Output:\n{daemon.Output}");
                }

                await Task.Delay(50);
            }

            lab.RenderProcRoot(nasAddress);
            return lab;
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }

    /// <summary>Atomically switches the mode ("ok", "slow 0.5", "slow-fsync 1.5", "hang", "eio", "estale", "squash").</summary>
    public void SetMode(string mode)
    {
        var temporary = ControlFile + ".tmp";
        File.WriteAllText(temporary, mode + "\n");
        File.Move(temporary, ControlFile, overwrite: true);
    }

    /// <summary>Agent arguments that point it at this lab's proc root.</summary>
    public string[] AgentArguments(TimeSpan deadline, TimeSpan slow) =>
    [
        $"--Agent:ProcRoot={ProcRoot}",
        $"--Nfs:ProbeDeadline={deadline:c}",
        $"--Nfs:SlowThreshold={slow:c}",
        // The lab has a file system but no NFS server: a ping to 127.0.0.1:2049 would only ever be refused.
        "--Nfs:RpcPing=false",
    ];

    public void Dispose()
    {
        try
        {
            SetMode("ok");
        }
        catch (IOException)
        {
        }

        AbortConnection();
        RunBounded("umount", ["-l", MountPoint]);
        _daemon.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // The mount point may still be busy for a moment after the lazy unmount; a leftover temp dir is harmless.
        }
    }

    private void RenderProcRoot(string nasAddress)
    {
        var pidDir = Path.Combine(ProcRoot, "4242");
        Directory.CreateDirectory(pidDir);
        // As the kernel has it (and node_exporter needs it): self is a symlink to the pid directory.
        File.CreateSymbolicLink(Path.Combine(ProcRoot, "self"), "4242");
        foreach (var name in new[] { "mountinfo", "mountstats" })
        {
            var template = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Nfs", "Fixtures", name + ".in"));
            File.WriteAllText(Path.Combine(pidDir, name), template.Replace("@FUSE_MNT@", MountPoint, StringComparison.Ordinal)
                .Replace("192.0.2.10", nasAddress, StringComparison.Ordinal));
        }

        foreach (var file in new[] { "loadavg", "meminfo", "uptime" })
        {
            File.WriteAllText(Path.Combine(ProcRoot, file), File.ReadAllText($"/proc/{file}"));
        }

        Directory.CreateDirectory(Path.Combine(ProcRoot, "sys/kernel/random"));
        File.WriteAllText(Path.Combine(ProcRoot, "sys/kernel/random/boot_id"), "6a1f0c4e-8d2b-4e57-9a3c-2f1b7d9e0a55\n");
    }

    // The minor device number of our FUSE mount in the real mountinfo; it names /sys/fs/fuse/connections/<minor>.
    private int? FuseMinor()
    {
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var fields = line.Split(' ');
            if (fields.Length > 4 && fields[4] == MountPoint && line.Contains(" - fuse", StringComparison.Ordinal))
            {
                return int.Parse(fields[2].Split(':')[1], CultureInfo.InvariantCulture);
            }
        }

        return null;
    }

    private void AbortConnection()
    {
        if (FuseMinor() is not { } minor)
        {
            return;
        }

        const string connections = "/sys/fs/fuse/connections";
        var abort = Path.Combine(connections, minor.ToString(CultureInfo.InvariantCulture), "abort");
        if (!File.Exists(abort))
        {
            RunBounded("mount", ["-t", "fusectl", "none", connections]);
        }

        try
        {
            File.WriteAllText(abort, "1");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Already gone, or no fusectl: the lazy unmount and the daemon's death still free the waiters.
        }
    }

    private static void RunBounded(string program, string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardError = true, RedirectStandardOutput = true });
        if (process is not null && !process.WaitForExit(10_000))
        {
            process.Kill();
        }
    }
}
