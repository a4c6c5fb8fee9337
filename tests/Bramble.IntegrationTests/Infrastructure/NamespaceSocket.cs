using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Bramble.IntegrationTests.Infrastructure;

/// <summary>
/// A listening TCP socket on the loopback of a network namespace the test created, opened from this process: a
/// short-lived thread enters the namespace (setns affects only the calling thread) and creates the socket there; a
/// socket stays in the namespace it was made in. So a stand-in server in the test process can serve an agent that runs
/// inside a lab namespace, with no address in the host's own namespace.
/// </summary>
public static partial class NamespaceSocket
{
    private const int CloneNewNet = 0x40000000;

    /// <param name="port">0: any free port; a fixed one where the client's Host header must name the port it serves (a relay).</param>
    public static Socket ListenOnLoopback(string ns, int port = 0)
    {
        Socket? socket = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle($"/var/run/netns/{ns}", FileMode.Open, FileAccess.Read);
                if (SetNs((int)handle.DangerousGetHandle(), CloneNewNet) != 0)
                {
                    throw new IOException($"setns({ns}) failed: errno {Marshal.GetLastPInvokeError()}");
                }

                socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
                socket.Listen(16);
            }
#pragma warning disable CA1031 // Handed to the caller below.
            catch (Exception e)
#pragma warning restore CA1031
            {
                socket?.Dispose();
                socket = null;
                failure = e;
            }
        });

        // The thread ends right after; it never runs anything else inside the namespace.
        thread.Start();
        thread.Join();
        return socket ?? throw new IOException($"cannot listen inside {ns}", failure);
    }

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNs(int fd, int nstype);
}
