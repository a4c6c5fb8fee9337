using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Bramble.Soak.Tests.Partition;

/// <summary>
/// An HttpClient whose connections are made inside a lab namespace (a short-lived thread enters it with setns and
/// creates the socket there; a socket stays in the namespace it was made in), so the test can read an aggregator's
/// HTTP API on that namespace's loopback without giving the host namespace an address in the lab.
/// </summary>
public static partial class NamespaceHttpClient
{
    private const int CloneNewNet = 0x40000000;

    public static HttpClient Create(string ns) =>
        new(new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = CreateSocketIn(ns);
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        })
        { Timeout = TimeSpan.FromSeconds(5) };

    private static Socket CreateSocketIn(string ns)
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
            }
#pragma warning disable CA1031 // Handed to the caller below.
            catch (Exception e)
#pragma warning restore CA1031
            {
                failure = e;
            }
        });

        // The thread ends right after; it never runs anything else inside the namespace.
        thread.Start();
        thread.Join();
        return socket ?? throw new IOException($"cannot make a socket inside {ns}", failure);
    }

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNs(int fd, int nstype);
}
