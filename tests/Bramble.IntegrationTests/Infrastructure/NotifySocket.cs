using System.Net.Sockets;
using System.Text;

namespace Bramble.IntegrationTests.Infrastructure;

/// <summary>The receiving end of sd_notify: a unix datagram socket, as systemd provides through NOTIFY_SOCKET.</summary>
public sealed class NotifySocket : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly TempDirectory _directory = new();

    public NotifySocket()
    {
        Path = System.IO.Path.Combine(_directory.Path, "notify.sock");
        _socket.Bind(new UnixDomainSocketEndPoint(Path));
    }

    public string Path { get; }

    /// <summary>Receives datagrams until one contains <paramref name="state"/>; returns everything received on the way.</summary>
    public async Task<List<string>> WaitForAsync(string state, TimeSpan timeout)
    {
        var received = new List<string>();
        var buffer = new byte[4096];
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var length = await _socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
                var message = Encoding.UTF8.GetString(buffer, 0, length);
                received.Add(message);
                if (message.Split('\n').Contains(state))
                {
                    return received;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no {state} within {timeout.TotalSeconds} s; received: [{string.Join(", ", received)}]");
        }
    }

    public void Dispose()
    {
        _socket.Dispose();
        _directory.Dispose();
    }
}
