using System.Diagnostics;
using System.Globalization;

namespace Bramble.IntegrationTests.Infrastructure;

/// <summary>
/// The layer-2 lab of LAB.md section 1, made and removed by a test: a namespace holding a bridge, node namespaces
/// bt-ID-n1..nN (eth0 = 02:00:00:00:00:0N, 192.0.2.N/24) and an observer bt-ID-obs (02:00:00:00:00:09, 192.0.2.9/24),
/// each joined to the bridge by a veth pair created inside the namespaces, so nothing appears in the host's own
/// namespace and no frame reaches a real interface. Disposing kills every process left in the namespaces (by the
/// PIDs `ip netns pids` lists) and deletes them.
/// </summary>
public sealed class NetworkLab : IDisposable
{
    public const string ObserverMac = "02:00:00:00:00:09";
    private readonly List<string> _namespaces = [];

    private NetworkLab(string id, int nodes)
    {
        Id = id;
        Nodes = nodes;
    }

    /// <summary>Random, so labs of concurrent test runs (other worktrees) never collide.</summary>
    public string Id { get; }

    public int Nodes { get; }

    public string Bridge => $"bt-{Id}-br";

    public string Observer => $"bt-{Id}-obs";

    public IReadOnlyList<string> Namespaces => _namespaces;

    public static string SkipReason =>
        Environment.UserName != "root" ? "needs root to create network namespaces (LAB.md section 1)"
        : !File.Exists("/usr/sbin/ip") && !File.Exists("/usr/bin/ip") && !File.Exists("/sbin/ip") ? "iproute2 (ip) is not installed"
        : string.Empty;

    public static NetworkLab Create(int nodes)
    {
        if (nodes is < 1 or > 8)
        {
            throw new ArgumentOutOfRangeException(nameof(nodes), "1 to 8 nodes (MACs 02:00:00:00:00:01-08)");
        }

        var lab = new NetworkLab(Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()[..3]), nodes);
        try
        {
            lab.AddNamespace(lab.Bridge);
            Ip("-n", lab.Bridge, "link", "add", "br0", "type", "bridge");
            Ip("-n", lab.Bridge, "link", "set", "br0", "up");
            for (var n = 1; n <= nodes; n++)
            {
                lab.Join(lab.Node(n), n, $"p{n}");
            }

            lab.Join(lab.Observer, 9, "p9");
            return lab;
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }

    public string Node(int n) => $"bt-{Id}-n{n}";

    public static string NodeMac(int n) => $"02:00:00:00:00:0{n}";

    /// <summary>Runs `ip ARGS` to completion (bounded), returning stdout; throws with stderr on failure.</summary>
    public static string Ip(params string[] arguments) => Run("ip", arguments);

    public static string Run(string file, params string[] arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(15_000))
        {
            process.Kill();
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not finish within 15 s");
        }

        process.WaitForExit();
        return process.ExitCode == 0
            ? stdout.Result
            : throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited {process.ExitCode}: {stderr.Result}");
    }

    /// <summary>Starts a program inside a namespace (ip netns exec execs it, so the PID is the program's).</summary>
    public static ManagedProcess StartIn(string ns, string name, string file, params string[] arguments) =>
        ManagedProcess.Start(name, "ip", ["netns", "exec", ns, file, .. arguments]);

    public static IReadOnlyList<string> ExistingNamespaces() =>
        Ip("netns", "list").Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[0]).ToArray();

    public void Dispose()
    {
        foreach (var ns in _namespaces.AsEnumerable().Reverse())
        {
            try
            {
                foreach (var pid in Ip("netns", "pids", ns).Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    try
                    {
                        using var process = Process.GetProcessById(int.Parse(pid, CultureInfo.InvariantCulture));
                        process.Kill();
                        process.WaitForExit(5000);
                    }
                    catch (ArgumentException)
                    {
                        // Already gone.
                    }
                }

                Ip("netns", "del", ns);
            }
            catch (InvalidOperationException)
            {
                // Already deleted (or never fully made); the test's own assertion reports what is left.
            }
        }
    }

    private void AddNamespace(string ns)
    {
        Ip("netns", "add", ns);
        _namespaces.Add(ns);
    }

    /// <summary>
    /// Joins one more namespace bt-ID-SUFFIX to the bridge with its own address and MAC (e.g. a NAS at 192.0.2.10),
    /// removed with the lab. Returns the namespace's name.
    /// </summary>
    public string AddHost(string suffix, string address, string mac)
    {
        var ns = $"bt-{Id}-{suffix}";
        AddNamespace(ns);
        var port = $"p{suffix}";
        Ip("-n", ns, "link", "add", "eth0", "address", mac, "type", "veth", "peer", "name", port, "netns", Bridge);
        Ip("-n", Bridge, "link", "set", port, "master", "br0", "up");
        Ip("-n", ns, "link", "set", "lo", "up");
        Ip("-n", ns, "addr", "add", $"{address}/24", "dev", "eth0");
        Ip("-n", ns, "link", "set", "eth0", "up");
        return ns;
    }

    /// <summary>Deletes the observer's eth0 (its peer on the bridge goes with it), as when a link disappears.</summary>
    public void UnplugObserver() => Ip("-n", Observer, "link", "del", "eth0");

    /// <summary>Gives the observer a new eth0 on the bridge: same name and MAC, a new interface index.</summary>
    public void ReplugObserver() => Link(Observer, 9, "p9");

    /// <summary>Whether the VIP is assigned on a namespace's eth0.</summary>
    public static bool HasAddress(string ns, string address) =>
        Ip("-n", ns, "-br", "addr", "show", "dev", "eth0").Contains($" {address}/32", StringComparison.Ordinal);

    private void Join(string ns, int n, string port)
    {
        AddNamespace(ns);
        Link(ns, n, port);
    }

    private void Link(string ns, int n, string port)
    {
        Ip("-n", ns, "link", "add", "eth0", "address", $"02:00:00:00:00:0{n}", "type", "veth", "peer", "name", port, "netns", Bridge);
        Ip("-n", Bridge, "link", "set", port, "master", "br0", "up");
        Ip("-n", ns, "link", "set", "lo", "up");
        Ip("-n", ns, "addr", "add", $"192.0.2.{n}/24", "dev", "eth0");
        Ip("-n", ns, "link", "set", "eth0", "up");
    }
}
