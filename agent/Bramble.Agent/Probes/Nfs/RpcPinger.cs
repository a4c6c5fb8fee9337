using System.Net.Sockets;
using Bramble.Agent.Linux.Nfs;

namespace Bramble.Agent.Probes.Nfs;

/// <summary>
/// The RPC NULL ping over TCP. It never touches a mount, so it runs in the agent itself, under a deadline: connect,
/// send the call, read one reply record. This tells "the server does not answer" apart from "this client is stuck".
/// </summary>
public sealed class RpcPinger : IRpcPinger
{
    private const int MaxReplyBytes = 4096;
    private readonly TimeProvider _time;

    public RpcPinger(TimeProvider time) => _time = time;

    public async Task<RpcPingResult> PingAsync(string host, int port, uint version, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var started = _time.GetTimestamp();
        try
        {
            await socket.ConnectAsync(host, port, linked.Token);
            var xid = (uint)Random.Shared.Next();
            await socket.SendAsync(RpcNullCall.Encode(xid, RpcNullCall.NfsProgram, version), SocketFlags.None, linked.Token);

            var mark = new byte[4];
            await ReceiveExactlyAsync(socket, mark, linked.Token);
            var (_, length) = RpcReply.DecodeRecordMark(mark);
            if (length is <= 0 or > MaxReplyBytes)
            {
                return new RpcPingResult(RpcPingOutcome.Failed, null, $"a reply record of {length} bytes is not an RPC reply");
            }

            var body = new byte[length];
            await ReceiveExactlyAsync(socket, body, linked.Token);
            var roundTrip = _time.GetElapsedTime(started);
            var reply = RpcReply.Decode(body);
            if (reply.Xid != xid || reply.Outcome == RpcReplyOutcome.Malformed)
            {
                return new RpcPingResult(RpcPingOutcome.Failed, roundTrip, "the answer is not a reply to our call");
            }

            return reply.Outcome == RpcReplyOutcome.Success
                ? new RpcPingResult(RpcPingOutcome.Answered, roundTrip, string.Empty)
                : new RpcPingResult(RpcPingOutcome.Rejected, roundTrip, Describe(reply, version));
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new RpcPingResult(RpcPingOutcome.Timeout, null, $"no answer from {host}:{port} within {timeout.TotalSeconds:0.###} s");
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return new RpcPingResult(RpcPingOutcome.Refused, null, $"{host}:{port} refused the connection: no NFS server listens");
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            return new RpcPingResult(RpcPingOutcome.Failed, null, $"{host}:{port}: {e.Message}");
        }
    }

    private static string Describe(RpcReply reply, uint version) => reply.Outcome switch
    {
        RpcReplyOutcome.ProgramUnavailable => "the server answers RPC but runs no NFS program (PROG_UNAVAIL)",
        RpcReplyOutcome.ProgramMismatch => $"the server's NFS speaks versions {reply.Low}-{reply.High}, not {version} (PROG_MISMATCH)",
        _ => $"the server refused the call ({reply.Outcome})",
    };

    private static async Task ReceiveExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (buffer.Length > 0)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                throw new IOException("the server closed the connection before replying");
            }

            buffer = buffer[read..];
        }
    }
}
