using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Bramble.IntegrationTests.Infrastructure;

/// <summary>A kubelet healthz stand-in on a fixed loopback port (so it can die and come back as the same kubelet): answers "ok".</summary>
public sealed class FixedPortHealthzServer : IDisposable
{
    private static readonly byte[] Ok = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private int _disposed;

    public FixedPortHealthzServer(int port)
    {
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        _ = ServeAsync();
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

    private async Task ServeAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                using var client = await _listener.AcceptSocketAsync(_stop.Token);
                var buffer = new byte[4096];
                await client.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                await client.SendAsync(Ok, SocketFlags.None, _stop.Token);
                client.Shutdown(SocketShutdown.Both);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }
}
