using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.Bench.Detection;

/// <summary>
/// A TCP relay from the loopback of a lab namespace to a port on the host's loopback, so agents inside a lab reach
/// the one aggregator every lane shares, with no address in the host's namespace and no route out of the lab: the
/// listening socket is made inside the namespace (<see cref="NamespaceSocket"/>), each connection it accepts is
/// copied both ways to 127.0.0.1:<c>targetPort</c> here. It listens on the same port number inside the namespace:
/// the aggregator maps its gRPC service to its own port (RequireHost), which the agent's Host header must name.
/// </summary>
public sealed class NamespaceRelay : IDisposable
{
    private readonly Socket _listener;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();

    public NamespaceRelay(string ns, int targetPort)
    {
        _listener = NamespaceSocket.ListenOnLoopback(ns, targetPort);
        _targetPort = targetPort;
        _ = AcceptAsync();
    }

    /// <summary>The relay's URL as seen from inside the namespace.</summary>
    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndPoint!).Port.ToString(CultureInfo.InvariantCulture)}";

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var inside = await _listener.AcceptAsync(_stop.Token);
                _ = RelayAsync(inside, _stop.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    private async Task RelayAsync(Socket inside, CancellationToken stop)
    {
        using (inside)
        using (var outside = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            try
            {
                await outside.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _targetPort), stop);
                using var a = new NetworkStream(inside, ownsSocket: false);
                using var b = new NetworkStream(outside, ownsSocket: false);
                // Whichever direction ends first ends the connection (an agent reconnects on its own).
                await Task.WhenAny(a.CopyToAsync(b, stop), b.CopyToAsync(a, stop));
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
            {
                // One side went away.
            }
        }
    }
}
