using System.Net;
using System.Net.Sockets;

namespace Bramble.IntegrationTests.Leadership;

/// <summary>
/// A TCP relay on loopback in the test process, between one aggregator and PostgreSQL: it forwards until
/// <see cref="Hold"/>, then keeps every byte the aggregator sends (it stops reading them, so they wait in order in the
/// socket; new connections are accepted and held alike) until <see cref="Release"/>, which lets them all through. A
/// slow network, not a cut one: whatever the aggregator sent while held reaches PostgreSQL late, as it was sent.
/// </summary>
public sealed class HoldingRelay : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _connections = [];
    private readonly Lock _gate = new();
    private TaskCompletionSource _open = Opened();

    public HoldingRelay(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        _ = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public void Hold()
    {
        lock (_gate)
        {
            if (_open.Task.IsCompleted)
            {
                _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    public void Release()
    {
        lock (_gate)
        {
            _open.TrySetResult();
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        Release();
        lock (_gate)
        {
            foreach (var connection in _connections)
            {
                connection.Dispose();
            }

            _connections.Clear();
        }

        _stop.Dispose();
    }

    private static TaskCompletionSource Opened()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }

    private Task Open()
    {
        lock (_gate)
        {
            return _open.Task;
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var upstream = new TcpClient();
            try
            {
                await upstream.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException)
            {
                client.Dispose();
                upstream.Dispose();
                continue;
            }

            lock (_gate)
            {
                _connections.Add(client);
                _connections.Add(upstream);
            }

            _ = PumpAsync(client, upstream, held: true);
            _ = PumpAsync(upstream, client, held: false);
        }
    }

    /// <summary>Copies <paramref name="from"/> to <paramref name="to"/>; when <paramref name="held"/>, each read waits for the relay to be open.</summary>
    private async Task PumpAsync(TcpClient from, TcpClient to, bool held)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            var input = from.GetStream();
            var output = to.GetStream();
            while (true)
            {
                if (held)
                {
                    // Not reading while held: the bytes wait in the socket, in order, and the sender sees a slow peer.
                    await Open().WaitAsync(_stop.Token);
                }

                var read = await input.ReadAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    break;
                }

                if (held)
                {
                    // Read just before a hold began: keep these bytes too until the release.
                    await Open().WaitAsync(_stop.Token);
                }

                await output.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or SocketException or InvalidOperationException)
        {
        }
        finally
        {
            from.Dispose();
            to.Dispose();
        }
    }
}
