using System.Diagnostics;
using System.Globalization;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Nfs;

/// <summary>
/// Kubelet pod volumes in the FUSE lab: the fault file system bind-mounted as a pod's NFS volume and as a subPath of it
/// under a kubelet root of the test's own, declared as NFS mounts in the lab's proc root. A stale handle is an
/// NfsStaleHandle per mount, naming pod and volume; a hang that freezes a process in the pod's cgroup is an
/// NfsMountHung that names the pod. Bind mounts, cgroup and the stuck process are the test's own and removed after.
/// </summary>
public sealed class NfsPodVolumeLabTests
{
    private const string Uid = "5f0c2a4e-1b7d-4c39-9a43-0d5b8e6f7a21";
    private const string Pv = "pvc-lab";
    private const string Options = "rw,vers=3,rsize=32768,wsize=32768,namlen=255,acregmin=0,acregmax=0,acdirmin=0,acdirmax=0,hard,noac,proto=tcp,timeo=600,retrans=2,sec=sys,mountaddr=127.0.0.1,mountvers=3,mountport=892,mountproto=tcp,local_lock=none,addr=127.0.0.1";

    [Fact]
    public async Task StaleHandle_OnThePodVolumeAndItsSubpath_IsOneNfsStaleHandleEachNamingPodAndVolume()
    {
        var unavailable = FuseFaultLab.Unavailable();
        Assert.SkipWhen(unavailable is not null, unavailable ?? string.Empty);
        using var lab = await FuseFaultLab.StartAsync();
        using var pod = PodVolumes.Mount(lab);
        using var aggregator = new AggregatorProcess(null, "--Rules:EvaluationInterval=00:00:00.1", "--Rules:WarmUp=00:00:00",
            "--Rules:NfsStaleHandle:ResolveAfter=00:00:01");
        await aggregator.StartAsync();
        using var agent = AgentProcess.Start("stale-node", aggregator.GrpcUrl,
            [.. lab.AgentArguments(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1)), $"--Nfs:KubeletRoot={pod.KubeletRoot}",
                "--Agent:ReportInterval=00:00:01", "--Agent:ProbeInterval=00:00:01"]);
        try
        {
            await AgentProcess.WaitConnectedAsync(agent);
            await Eventually.WaitAsync(aggregator.NodesAsync, n => n.Any(x => x.Name == "stale-node" && x.LastSeq >= 2), TimeSpan.FromSeconds(30), "the agent reporting");
            Assert.DoesNotContain(await aggregator.IncidentsAsync("?state=open"), i => i.Kind == "NfsStaleHandle");

            lab.SetMode("estale");
            var stale = await Eventually.WaitAsync(() => aggregator.IncidentsAsync("?state=firing&kind=NfsStaleHandle"),
                list => list.Count >= 3, TimeSpan.FromSeconds(30), "NfsStaleHandle on the mount, the pod volume and its subpath");

            Assert.Equal(new[] { lab.MountPoint, pod.SubpathMount, pod.VolumeMount }.Order(StringComparer.Ordinal), stale.Select(i => i.Subject.Mount).Order(StringComparer.Ordinal));
            var volume = stale.Single(i => i.Subject.Mount == pod.VolumeMount);
            Assert.Equal((Uid, Pv, "false", "116"), (volume.Evidence["podUid"], volume.Evidence["podVolume"], volume.Evidence["podSubpath"], volume.Evidence["errno"]));
            var subpath = stale.Single(i => i.Subject.Mount == pod.SubpathMount);
            Assert.Equal((Uid, Pv, "true"), (subpath.Evidence["podUid"], subpath.Evidence["podVolume"], subpath.Evidence["podSubpath"]));
            // The pod's data is only read: the subPath (a directory of the volume) stat'ed, the volume listed.
            Assert.Contains("ESTALE", subpath.Evidence["detail"], StringComparison.Ordinal);
            Assert.False(Directory.Exists(Path.Combine(lab.Root, "backing", "sub", ".bramble-probe")));

            lab.SetMode("ok");
            await Eventually.WaitAsync(() => aggregator.IncidentsAsync("?state=open&kind=NfsStaleHandle"), list => list.Count == 0,
                TimeSpan.FromSeconds(30), "the stale handles resolving");
        }
        finally
        {
            lab.SetMode("ok");
        }
    }

    [Fact]
    public async Task Hang_WithAProcessOfThePodStuckOnItsVolume_NfsMountHungNamesTheFrozenPod()
    {
        var unavailable = FuseFaultLab.Unavailable() ?? PodCgroup.Unavailable();
        Assert.SkipWhen(unavailable is not null, unavailable ?? string.Empty);
        using var lab = await FuseFaultLab.StartAsync();
        using var pod = PodVolumes.Mount(lab);
        using var cgroup = PodCgroup.Create(Uid);
        var logs = Path.Combine(lab.Root, "pod-logs");
        Directory.CreateDirectory(Path.Combine(logs, $"media_jellyfin-lab_{Uid}", "server"));
        using var aggregator = new AggregatorProcess(null, "--Rules:EvaluationInterval=00:00:00.1", "--Rules:WarmUp=00:00:00",
            "--Rules:NfsMountHung:ResolveAfter=00:00:01");
        await aggregator.StartAsync();

        // The pod's process: works in its volume, reading a file over and over (the shell itself opens it, so this
        // very process is the one that stops dead when the mount hangs).
        File.WriteAllText(Path.Combine(lab.Root, "backing", "data"), "media\n");
        var loop = new ProcessStartInfo("/bin/sh", ["-c", "exec 0</dev/null 1>/dev/null 2>&1; while :; do read -r line < data; sleep 0.2; done"]) { WorkingDirectory = pod.VolumeMount };
        using var victim = Process.Start(loop)!;
        cgroup.Add(victim.Id);
        // The agent reads the lab's proc root: the victim appears there as the kernel's own entry.
        File.CreateSymbolicLink(Path.Combine(lab.ProcRoot, victim.Id.ToString(CultureInfo.InvariantCulture)), $"/proc/{victim.Id}");
        using var agent = AgentProcess.Start("frozen-node", aggregator.GrpcUrl,
            [.. lab.AgentArguments(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1)), $"--Nfs:KubeletRoot={pod.KubeletRoot}", $"--Nfs:PodLogDirectory={logs}",
                // A FUSE hang's waiters sleep where a hard NFS mount's would be rpc_wait_bit_killable.
                "--Nfs:StuckWaitChannels:0=request_wait_answer", "--Nfs:StuckWaitChannels:1=fuse_*",
                "--Agent:ReportInterval=00:00:01", "--Agent:ProbeInterval=00:00:01"]);
        try
        {
            await AgentProcess.WaitConnectedAsync(agent);
            await Eventually.WaitAsync(aggregator.NodesAsync, n => n.Any(x => x.Name == "frozen-node" && x.LastSeq >= 2), TimeSpan.FromSeconds(30), "the agent reporting");

            lab.SetMode("hang");
            // Waiting on FUSE it sleeps interruptibly; killed, it is in D until the file system answers — as on a hard mount.
            await Eventually.WaitAsync(() => Task.FromResult(WaitChannel(victim.Id)), w => w == "request_wait_answer", TimeSpan.FromSeconds(20), "the pod's process stuck");
            victim.Kill();
            await Eventually.WaitAsync(() => Task.FromResult(State(victim.Id)), s => s == 'D', TimeSpan.FromSeconds(10), "the killed process in D state");

            var hung = await Eventually.WaitAsync(() => aggregator.IncidentsAsync("?state=firing&kind=NfsMountHung"),
                list => list.Any(i => i.Subject.Mount == pod.VolumeMount && i.Evidence.ContainsKey("frozenPods")), TimeSpan.FromSeconds(30),
                "NfsMountHung on the pod volume naming the frozen pod");

            var incident = hung.Single(i => i.Subject.Mount == pod.VolumeMount);
            TestContext.Current.TestOutputHelper?.WriteLine(incident.Summary);
            Assert.Contains($"pod media/jellyfin-lab of PV {Pv} is frozen", incident.Summary, StringComparison.Ordinal);
            Assert.Equal("media/jellyfin-lab", incident.Evidence["frozenPods"]);
            Assert.Equal("1", incident.Evidence["stuckProcesses"]);
            // Only the pod volume the process works in carries it; the lab's own mount has no frozen pod.
            Assert.DoesNotContain(hung, i => i.Subject.Mount == lab.MountPoint && i.Evidence.ContainsKey("frozenPods"));

            lab.SetMode("ok");
            await Eventually.WaitAsync(() => aggregator.IncidentsAsync("?state=open&kind=NfsMountHung"), list => list.Count == 0,
                TimeSpan.FromSeconds(30), "the hang resolving");
        }
        finally
        {
            lab.SetMode("ok");
            if (!victim.HasExited)
            {
                victim.Kill();
            }

            victim.WaitForExit(10_000);
            // Its last "sleep 0.2" child may outlive it for a moment; the cgroup is removed once it is empty.
            await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        }
    }

    private static string? WaitChannel(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/wchan").Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static char State(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[stat.LastIndexOf(')') + 2];
        }
        catch (IOException)
        {
            return '?';
        }
    }

    /// <summary>The lab's file system bind-mounted as a pod's NFS volume and a subPath of it, under a kubelet root of the test's own.</summary>
    private sealed class PodVolumes : IDisposable
    {
        private PodVolumes(string kubeletRoot)
        {
            KubeletRoot = kubeletRoot;
            VolumeMount = Path.Combine(kubeletRoot, "pods", Uid, "volumes", "kubernetes.io~nfs", Pv);
            SubpathMount = Path.Combine(kubeletRoot, "pods", Uid, "volume-subpaths", Pv, "server", "0");
        }

        public string KubeletRoot { get; }

        public string VolumeMount { get; }

        public string SubpathMount { get; }

        public static PodVolumes Mount(FuseFaultLab lab)
        {
            var volumes = new PodVolumes(Path.Combine(lab.Root, "kubelet"));
            Directory.CreateDirectory(volumes.VolumeMount);
            Directory.CreateDirectory(volumes.SubpathMount);
            Directory.CreateDirectory(Path.Combine(lab.Root, "backing", "sub"));
            try
            {
                Run("mount", "--bind", lab.MountPoint, volumes.VolumeMount);
                Run("mount", "--bind", Path.Combine(lab.MountPoint, "sub"), volumes.SubpathMount);
                // Declared as the kubelet would leave them: NFS mounts of the lab's device, the subPath rooted at /sub.
                var device = FuseDevice(lab.MountPoint);
                File.AppendAllText(Path.Combine(lab.ProcRoot, "4242", "mountinfo"),
                    $"900 22 {device} / {volumes.VolumeMount} rw,relatime shared:900 - nfs 127.0.0.1:/volume1/k8s/{Pv} {Options}\n" +
                    $"901 22 {device} /sub {volumes.SubpathMount} rw,relatime shared:900 - nfs 127.0.0.1:/volume1/k8s/{Pv} {Options}\n");
            }
            catch
            {
                volumes.Dispose();
                throw;
            }

            return volumes;
        }

        public void Dispose()
        {
            // Lazily: the lab aborts the FUSE connection afterwards, which frees anything still waiting.
            Bounded("umount", "-l", SubpathMount);
            Bounded("umount", "-l", VolumeMount);
        }

        private static string FuseDevice(string mountPoint) => File.ReadLines("/proc/self/mountinfo")
            .Select(l => l.Split(' '))
            .First(f => f.Length > 4 && f[4] == mountPoint)[2];

        private static void Run(string program, params string[] arguments)
        {
            var (exit, output) = Bounded(program, arguments);
            if (exit != 0)
            {
                throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({exit}): {output}");
            }
        }

        private static (int Exit, string Output) Bounded(string program, params string[] arguments)
        {
            using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            if (!process.WaitForExit(10_000))
            {
                process.Kill();
                return (-1, "timed out");
            }

            return (process.ExitCode, process.StandardError.ReadToEnd());
        }
    }

    /// <summary>A cgroup named as the kubelet names a pod's ("kubepods-pod&lt;uid&gt;.slice"), under a bt- parent of the test's own.</summary>
    private sealed class PodCgroup : IDisposable
    {
        private readonly string _parent;
        private readonly string _path;

        private PodCgroup(string parent, string path)
        {
            _parent = parent;
            _path = path;
        }

        public static string? Unavailable() => Hierarchy() is null ? "no writable cgroup v2 hierarchy (/sys/fs/cgroup or /sys/fs/cgroup/unified)" : null;

        public static PodCgroup Create(string uid)
        {
            var parent = Path.Combine(Hierarchy()!, $"bt-{Environment.ProcessId}-{Guid.NewGuid():N}"[..20]);
            var path = Path.Combine(parent, $"kubepods-pod{uid.Replace('-', '_')}.slice");
            Directory.CreateDirectory(path);
            return new PodCgroup(parent, path);
        }

        public void Add(int pid) => File.WriteAllText(Path.Combine(_path, "cgroup.procs"), pid.ToString(CultureInfo.InvariantCulture));

        public void Dispose()
        {
            // A cgroup is removed with rmdir once its processes are gone (the test waited for its one).
            foreach (var directory in new[] { _path, _parent })
            {
                try
                {
                    Directory.Delete(directory);
                }
                catch (IOException)
                {
                    // Still busy: a leftover empty bt- cgroup is harmless and named as the test's.
                }
            }
        }

        private static string? Hierarchy() => new[] { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" }
            .FirstOrDefault(h => Environment.UserName == "root" && File.Exists(Path.Combine(h, "cgroup.procs")) && File.Exists(Path.Combine(h, "cgroup.controllers")));
    }
}
