using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Bramble.Testing;

/// <summary>A kubelet healthz stand-in (unit and integration tests) on 127.0.0.1 (a port the OS picks) that answers as the test says, or never.</summary>
public sealed class FakeHealthzServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private volatile string? _response;

    private FakeHealthzServer(string? response)
    {
        _response = response;
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/healthz";

    public int Requests { get; private set; }

    public static FakeHealthzServer Answering(int status, string body) => new(Response(status, body));

    /// <summary>Accepts the connection and reads the request, then never answers (a wedged kubelet).</summary>
    public static FakeHealthzServer Hanging() => new(response: null);

    public void AnswerWith(int status, string body) => _response = Response(status, body);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _acceptLoop;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }

        _stop.Dispose();
    }

    private static string Response(int status, string body) =>
        $"HTTP/1.1 {status} X\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}";

    private async Task AcceptLoopAsync()
    {
        // Ends when the test disposes the server (cancellation and Stop both end AcceptTcpClientAsync).
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var buffer = new byte[8192];
                var read = 0;
                while (read < buffer.Length && !Encoding.ASCII.GetString(buffer, 0, read).Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var n = await stream.ReadAsync(buffer.AsMemory(read), _stop.Token);
                    if (n == 0)
                    {
                        return;
                    }

                    read += n;
                }

                Requests++;
                if (_response is not { } response)
                {
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                    return;
                }

                await stream.WriteAsync(Encoding.UTF8.GetBytes(response), _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
            {
                // The client gave up or the test ended.
            }
        }
    }
}
