using System.Collections.Concurrent;
using System.Net.Sockets;
using Bramble.Protos.Cri.V1;
using Bramble.Protos.V1;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Probes.Kubelet;

/// <summary>
/// Asks the container runtime for its version over the CRI socket (gRPC on a unix socket), as `crictl version`
/// does: a runtime that accepts but never answers is what leaves a kubelet "healthy" while no pod can start.
/// </summary>
public sealed class CriRuntimeClient : IDisposable
{
    /// <summary>The CRI API version the kubelet sends.</summary>
    public const string CriApiVersion = "v1";

    // One channel per socket, kept: a channel holds its HTTP/2 connection, and a new one per run would redo the handshake.
    private readonly ConcurrentDictionary<string, GrpcChannel> _channels = new(StringComparer.Ordinal);
    private readonly KubeletOptions _options;
    private readonly TimeProvider _time;

    public CriRuntimeClient(IOptions<KubeletOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _time = time;
    }

    /// <summary>Where auto-detection looks; tests empty it so that this machine's runtime (if any) stays out of them.</summary>
    internal IReadOnlyList<string> DefaultSockets { get; init; } = KubeletOptions.DefaultCriSockets;

    /// <summary>The configured socket, else the first default that exists; null when there is none to ask.</summary>
    public string? FindSocket() =>
        _options.CriSocket.Length > 0 ? _options.CriSocket : DefaultSockets.FirstOrDefault(File.Exists);

    /// <summary>Null when no CRI socket was found (nothing to ask).</summary>
    public async Task<RuntimeObservation?> VersionAsync(CancellationToken cancellationToken)
    {
        if (FindSocket() is not { } socket)
        {
            return null;
        }

        using var deadline = new CancellationTokenSource(_options.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        // A refused connect is told by the socket itself, before any gRPC: the first call's set-up (seconds on a loaded
        // Pi) must not turn "nothing listens" into "no answer within the deadline".
        try
        {
            if (await ConnectErrorAsync(socket, linked.Token) is { } refused)
            {
                return new RuntimeObservation(RuntimeResult.Refused, socket, string.Empty, string.Empty, $"cannot connect: {refused}");
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new RuntimeObservation(RuntimeResult.Timeout, socket, string.Empty, string.Empty, $"no connection within {_options.Timeout.TotalSeconds:0.###} s");
        }

        var client = new RuntimeService.RuntimeServiceClient(_channels.GetOrAdd(socket, CreateChannel));
        try
        {
            var response = await client.VersionAsync(new VersionRequest { Version = CriApiVersion }, cancellationToken: linked.Token);
            return new RuntimeObservation(RuntimeResult.Ok, socket, response.RuntimeName, response.RuntimeVersion, string.Empty);
        }
        catch (RpcException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new RuntimeObservation(RuntimeResult.Timeout, socket, string.Empty, string.Empty, $"no answer within {_options.Timeout.TotalSeconds:0.###} s");
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
        {
            return new RuntimeObservation(RuntimeResult.Refused, socket, string.Empty, string.Empty, $"cannot connect: {e.Status.Detail}");
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
        {
            return new RuntimeObservation(RuntimeResult.Error, socket, string.Empty, string.Empty, $"{e.StatusCode}: {e.Status.Detail}");
        }
    }

    public void Dispose()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }

        _channels.Clear();
    }

    // Null when something accepts connections on the socket; else why not (no such file, nothing listening, …).
    private static async Task<string?> ConnectErrorAsync(string socketPath, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
            return null;
        }
        catch (SocketException e)
        {
            return $"{e.SocketErrorCode} ({e.Message}) on {socketPath}";
        }
    }

    private static GrpcChannel CreateChannel(string socketPath) =>
        // The authority is a placeholder: every connection goes to the unix socket.
        GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions
        {
            MaxReceiveMessageSize = 64 * 1024,
            HttpHandler = new SocketsHttpHandler
            {
                UseProxy = false,
                ConnectCallback = async (_, cancellationToken) =>
                {
                    var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    try
                    {
                        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
                        return new NetworkStream(socket, ownsSocket: true);
                    }
                    catch
                    {
                        socket.Dispose();
                        throw;
                    }
                },
            },
        });
}
