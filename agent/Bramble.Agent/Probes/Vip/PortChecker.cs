using System.Net;
using System.Net.Sockets;
using Bramble.Protos.V1;
using Google.Protobuf.WellKnownTypes;

namespace Bramble.Agent.Probes.Vip;

/// <summary>A TCP connect to a port behind a VIP, with a deadline on the injected clock.</summary>
public sealed class PortChecker
{
    private readonly TimeProvider _time;

    public PortChecker(TimeProvider time)
    {
        _time = time;
    }

    public async Task<PortCheck> CheckAsync(IPAddress address, int port, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var check = new PortCheck { Port = (uint)port };
        using var deadline = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var started = _time.GetTimestamp();
        try
        {
            await socket.ConnectAsync(new IPEndPoint(address, port), linked.Token);
            check.Open = true;
            check.ConnectLatency = Duration.FromTimeSpan(_time.GetElapsedTime(started));
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            check.Error = $"no answer within {timeout.TotalMilliseconds:F0} ms";
        }
        catch (SocketException e)
        {
            check.Error = e.SocketErrorCode.ToString();
        }

        return check;
    }
}
