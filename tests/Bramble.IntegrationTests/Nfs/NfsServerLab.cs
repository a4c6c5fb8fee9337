using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Nfs;

/// <summary>
/// A real user-space NFS server (nfs-ganesha with its VFS backend, registered with rpcbind; LAB.md section 2) at
/// 192.0.2.10 in a namespace bt-ID-nas joined to a <see cref="NetworkLab"/>'s bridge, the address the NFS fixtures
/// name as the NAS. Only agents inside the lab reach it. It can be stopped (SIGSTOP: TCP still connects, calls go
/// unanswered), continued, and killed (SIGKILL: the port refuses). Teardown is by PID with timeouts: SIGCONT first,
/// then SIGTERM, then SIGKILL; the namespace goes with the lab.
/// </summary>
public sealed partial class NfsServerLab : IDisposable
{
    public const string Address = "192.0.2.10";
    public const string Mac = "02:00:00:00:00:0a";
    private const string Ganesha = "/usr/bin/ganesha.nfsd";
    private const string Rpcbind = "/usr/sbin/rpcbind";
    private const string VfsBackend = "/usr/lib/x86_64-linux-gnu/ganesha/libfsalvfs.so";

    private readonly ManagedProcess _server;
    private readonly string _directory;

    private NfsServerLab(string ns, string directory, ManagedProcess server)
    {
        Namespace = ns;
        _directory = directory;
        _server = server;
    }

    public string Namespace { get; }

    /// <summary>The NFS server's own pid (the wrapper execs it).</summary>
    public int Pid => _server.Pid;

    public int RpcbindPid { get; private set; }

    /// <summary>Why this machine cannot run the lab, or null when it can.</summary>
    public static string? Unavailable()
    {
        if (NetworkLab.SkipReason.Length > 0)
        {
            return NetworkLab.SkipReason;
        }

        foreach (var (path, package) in new[] { (Ganesha, "nfs-ganesha"), (VfsBackend, "nfs-ganesha-vfs"), (Rpcbind, "rpcbind"), ("/usr/sbin/rpcinfo", "rpcbind") })
        {
            if (!File.Exists(path))
            {
                return $"{path} is missing (package {package}; ./test.sh installs it as root)";
            }
        }

        return null;
    }

    /// <summary>Starts the server in the lab and returns once an RPC NULL call to its NFS port answers (bounded).</summary>
    public static async Task<NfsServerLab> StartAsync(NetworkLab lab)
    {
        ArgumentNullException.ThrowIfNull(lab);
        var ns = lab.AddHost("nas", Address, Mac);
        var directory = Directory.CreateTempSubdirectory("bt-ganesha-").FullName;
        var export = Path.Combine(directory, "export");
        Directory.CreateDirectory(export);
        Directory.CreateDirectory(Path.Combine(directory, "recovery"));
        // NFSv3 over TCP only, no NLM/RQUOTA, no grace period; Bind_addr unset (LAB.md: setting it breaks the start).
        File.WriteAllText(Path.Combine(directory, "ganesha.conf"), $$"""
            NFS_CORE_PARAM { Protocols = 3; NFS_Port = 2049; Enable_NLM = false; Enable_RQUOTA = false; Enable_UDP = false; }
            NFSV4 { Graceless = true; RecoveryRoot = "{{directory}}/recovery"; }
            EXPORT {
                Export_Id = 1; Path = "{{export}}"; Pseudo = /export; Access_Type = RW; Squash = No_Root_Squash;
                Protocols = 3; Transports = TCP; SecType = sys; FSAL { Name = VFS; }
            }

            """);
        var script = Path.Combine(AppContext.BaseDirectory, "Nfs", "nfs_server.sh");
        var server = NetworkLab.StartIn(ns, "nfs-ganesha", "/bin/sh", script, directory);
        var nas = new NfsServerLab(ns, directory, server);
        try
        {
            var rpcbind = await server.WaitForLineAsync(RpcbindLine(), TimeSpan.FromSeconds(20));
            nas.RpcbindPid = int.Parse(rpcbind.Groups["pid"].Value, CultureInfo.InvariantCulture);
            var clock = Stopwatch.StartNew();
            while (!nas.AnswersNullCall())
            {
                if (clock.Elapsed > TimeSpan.FromSeconds(40) || server.HasExited)
                {
                    throw new InvalidOperationException($"nfs-ganesha did not answer an RPC NULL call on {Address}:2049 within 40 s. Log:\n{nas.Log()}\nOutput:\n{server.Output}");
                }

                await Task.Delay(200);
            }

            return nas;
        }
        catch
        {
            nas.Dispose();
            throw;
        }
    }

    /// <summary>An RPC NULL call to program 100003 version 3 on port 2049 (rpcinfo -n skips the portmapper), from inside the NAS namespace.</summary>
    public bool AnswersNullCall()
    {
        try
        {
            return NetworkLab.Run("ip", "netns", "exec", Namespace, "rpcinfo", "-n", "2049", "-t", Address, "100003", "3")
                .Contains("ready and waiting", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            return false;
        }
    }

    /// <summary>SIGSTOP: the kernel still completes TCP handshakes (backlog), nothing answers.</summary>
    public void Stop() => Signals.Send(Pid, Signals.Stop);

    public void Continue() => Signals.Send(Pid, Signals.Continue);

    /// <summary>SIGKILL and wait until it is reaped: the port then refuses (rpcbind still lists the dead server).</summary>
    public Task KillAsync()
    {
        TryContinue(Pid);
        return _server.KillAsync();
    }

    public string Log()
    {
        try
        {
            var lines = File.ReadAllLines(Path.Combine(_directory, "ganesha.log"));
            return string.Join('\n', lines.TakeLast(30));
        }
        catch (IOException)
        {
            return "(no ganesha.log)";
        }
    }

    public void Dispose()
    {
        TryContinue(Pid);
        Terminate(Pid, _server.HasExited);
        _server.Dispose();
        if (RpcbindPid > 0)
        {
            Terminate(RpcbindPid, exited: false);
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }

    private static void TryContinue(int pid)
    {
        try
        {
            Signals.Send(pid, Signals.Continue);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    // SIGTERM, up to 5 s for it to go, then SIGKILL; only this pid, which this lab started.
    private static void Terminate(int pid, bool exited)
    {
        if (exited)
        {
            return;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            Signals.Send(pid, Signals.Terminate);
            if (!process.WaitForExit(5000))
            {
                process.Kill();
                process.WaitForExit(5000);
            }
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // Already gone.
        }
    }

    [GeneratedRegex(@"rpcbind pid (?<pid>\d+)")]
    private static partial Regex RpcbindLine();
}
