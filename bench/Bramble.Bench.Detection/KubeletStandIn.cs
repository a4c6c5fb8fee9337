using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Bramble.Bench.Detection;

/// <summary>
/// A kubelet stand-in on a fixed loopback port, so it can die and come back as the same kubelet: /healthz answers
/// "ok" (what Bramble's agent probes) and /metrics a small exposition (what Prometheus scrapes; kubelet_running_pods
/// as the real one has). Disposing closes the listener: connections are then refused, as for a dead kubelet.
/// </summary>
public sealed class KubeletStandIn : IDisposable
{
    private static readonly byte[] Healthz = Response("text/plain", "ok");
    private static readonly byte[] Metrics = Response("text/plain; version=0.0.4",
        "# HELP kubelet_running_pods Number of pods that have a running pod sandbox\n# TYPE kubelet_running_pods gauge\nkubelet_running_pods 3\n");

    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private int _disposed;

    public KubeletStandIn(int port)
    {
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        _ = AcceptAsync();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
    }

    private static byte[] Response(string contentType, string body) => Encoding.ASCII.GetBytes(
        $"HTTP/1.1 200 OK\r\nContent-Type: {contentType}\r\nContent-Length: {Encoding.ASCII.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}");

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptSocketAsync(_stop.Token);
                _ = ServeAsync(client, _stop.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    private static async Task ServeAsync(Socket client, CancellationToken stop)
    {
        using (client)
        {
            try
            {
                var buffer = new byte[4096];
                var read = await client.ReceiveAsync(buffer, SocketFlags.None, stop).AsTask().WaitAsync(TimeSpan.FromSeconds(5), stop);
                var request = Encoding.ASCII.GetString(buffer, 0, read);
                await client.SendAsync(request.StartsWith("GET /metrics", StringComparison.Ordinal) ? Metrics : Healthz, SocketFlags.None, stop);
                client.Shutdown(SocketShutdown.Both);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or TimeoutException)
            {
                // The client gave up or the stand-in died.
            }
        }
    }
}
