using System.Net.Sockets;
using System.Text.Json;
using Bramble.Agent.Probes.Isolation;

namespace Bramble.Agent.Probes.Nfs;

/// <summary>
/// The agent's hidden long-lived NFS probe mode (<c>bramble-agent --probe-server --probe-socket PATH</c>): one child
/// process serves every mount's checks, so the steady state spawns nothing (a NativeAOT start costs more CPU than the
/// checks themselves). It connects to the agent's Unix socket (its stdin, stdout and stderr are /dev/null), reads one
/// <see cref="NfsProbeServerRequest"/> per line and runs each on a thread of its own, so a check
/// stuck on a hung mount holds up no other; every check writes a "started" line and then its outcome line. The agent
/// abandons (kills) this process when a check outlasts its deadline. It ends at the socket's end: the agent closed it,
/// or is gone — a thread stuck in the kernel keeps it until the file system answers, and nothing longer.
/// </summary>
public static class NfsProbeServerProgram
{
    public const string Flag = "--probe-server";

    /// <summary>With <see cref="Flag"/>: the agent's Unix socket to take requests from and answer on (else stdin and stdout).</summary>
    public const string SocketFlag = "--probe-socket";

    public static bool IsServerMode(string[] args) => args is not null && args.Contains(Flag, StringComparer.Ordinal);

    public static int Run(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var index = Array.IndexOf(args, SocketFlag);
        if (index < 0 || index + 1 >= args.Length)
        {
            using var input = new StreamReader(Console.OpenStandardInput());
            using var output = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true };
            Serve(input, output);
            return 0;
        }

        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(args[index + 1]));
        }
        catch (SocketException)
        {
            return 1;
        }

        // One stream both ways: this thread reads requests, the checks' threads write answers (one at a time).
        using var stream = new NetworkStream(socket, ownsSocket: false);
        using var reader = new StreamReader(stream);
        using var writer = new StreamWriter(stream) { AutoFlush = true };
        Serve(reader, writer);
        return 0;
    }

    /// <summary>Reads requests until <paramref name="input"/> ends; the checks' threads may still be running then.</summary>
    public static IReadOnlyList<Thread> Serve(TextReader input, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        var gate = new Lock();
        var threads = new List<Thread>();
        while (input.ReadLine() is { } line)
        {
            NfsProbeServerRequest? request;
            try
            {
                request = JsonSerializer.Deserialize(line, ProbeChildJsonContext.Default.NfsProbeServerRequest);
            }
            catch (JsonException)
            {
                continue; // Never from the agent; nothing to answer to.
            }

            if (request is null)
            {
                continue;
            }

            // A thread, not the pool: a check stuck in the kernel holds its thread for as long as the mount hangs.
            var thread = new Thread(() => Check(request, output, gate)) { IsBackground = true, Name = "nfs-check" };
            thread.Start();
            threads.Add(thread);
            threads.RemoveAll(t => !t.IsAlive);
        }

        return threads;
    }

    private static void Check(NfsProbeServerRequest request, TextWriter output, Lock gate)
    {
        Write(output, gate, new NfsProbeServerReply(request.Id, Started: true, null, null, 0));
        var reply = request.Mode switch
        {
            NfsProbeServerRequest.CopyMode => Copy(request),
            NfsProbeServerRequest.StatOnlyMode => new NfsProbeServerReply(request.Id, false, NfsProbeChildProgram.StatOnly(request.Path), null, 0),
            _ => new NfsProbeServerReply(request.Id, false, NfsProbeChildProgram.Probe(request.Path, request.Directory ?? ".bramble-probe"), null, 0),
        };
        Write(output, gate, reply);
    }

    private static NfsProbeServerReply Copy(NfsProbeServerRequest request)
    {
        try
        {
            return new NfsProbeServerReply(request.Id, false, null, File.ReadAllText(request.Path), 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new NfsProbeServerReply(request.Id, false, null, null, 1);
        }
    }

    private static void Write(TextWriter output, Lock gate, NfsProbeServerReply reply)
    {
        var line = JsonSerializer.Serialize(reply, ProbeChildJsonContext.Default.NfsProbeServerReply);
        lock (gate)
        {
            try
            {
                output.WriteLine(line);
                output.Flush();
            }
            catch (IOException)
            {
                // The agent closed its end (it abandoned this process): nobody is left to tell.
            }
        }
    }
}
