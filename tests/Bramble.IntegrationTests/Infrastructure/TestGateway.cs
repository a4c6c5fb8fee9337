using System.Collections.Concurrent;
using Bramble.Protos.V1;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Bramble.IntegrationTests.Infrastructure;

/// <summary>
/// A stand-in aggregator for one real agent, on a loopback port: it welcomes the agent (last seq 0), acknowledges every
/// report, lets the test send Commands on the agent's stream and collects the CommandResults. For testing the agent's
/// side of a conversation the real aggregator cannot (yet) drive.
/// </summary>
public sealed class TestGateway : IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly WebApplication _app;
    private readonly GatewayService _service;

    private TestGateway(WebApplication app, GatewayService service, string url)
    {
        _app = app;
        _service = service;
        Url = url;
    }

    /// <summary>Where the agent connects, e.g. http://127.0.0.1:40123.</summary>
    public string Url { get; }

    /// <summary>The Hello of the agent's latest stream, once it has said it.</summary>
    public Task<Hello> Hello => _service.Hello.Task;

    /// <summary>Reports received (and acknowledged) so far, on every stream.</summary>
    public int ReportsReceived => _service.ReportsReceived;

    /// <summary>Every result received, in order (re-sent ones included).</summary>
    public IReadOnlyList<CommandResult> Results => [.. _service.Results];

    /// <summary>
    /// On a free loopback port of this namespace, or on a socket already listening (e.g. in a lab namespace). With
    /// <paramref name="redirectTo"/> it plays a follower aggregator: every Hello is answered with a Welcome naming that
    /// leader address, and the stream ends.
    /// </summary>
    public static async Task<TestGateway> StartAsync(System.Net.Sockets.Socket? listening = null, string? redirectTo = null)
    {
        var port = listening is null ? FreePort.Next() : ((System.Net.IPEndPoint)listening.LocalEndPoint!).Port;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            if (listening is null)
            {
                kestrel.ListenLocalhost(port, listen => listen.Protocols = HttpProtocols.Http2);
            }
            else
            {
                // Kestrel takes the descriptor over and closes it when it stops.
                kestrel.ListenHandle((ulong)listening.SafeHandle.DangerousGetHandle(), listen => listen.Protocols = HttpProtocols.Http2);
                listening.SafeHandle.SetHandleAsInvalid();
            }
        });
        builder.Services.AddGrpc();
        var service = new GatewayService(redirectTo);
        builder.Services.AddSingleton(service);
        var app = builder.Build();
        app.MapGrpcService<GatewayService>();
        await app.StartAsync(TestContext.Current.CancellationToken);
        return new TestGateway(app, service, $"http://127.0.0.1:{port}");
    }

    /// <summary>Streams the agent has opened so far (each begins with a Hello).</summary>
    public int Connections => _service.Connections;

    /// <summary>Sends a command on the agent's open stream and waits (bounded) for the next result with its id.</summary>
    public async Task<CommandResult> ExecuteAsync(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var seen = _service.Results.Count(r => r.Id == command.Id);
        await _service.SendAsync(new AggregatorMessage { Command = command });
        return await NextResultAsync(command.Id, seen);
    }

    /// <summary>Sends a command without waiting for its result.</summary>
    public Task SendAsync(Command command) => _service.SendAsync(new AggregatorMessage { Command = command });

    /// <summary>Ends the agent's current stream from the server side, as an aggregator restart or a network cut would.</summary>
    public void DropStream() => _service.Drop();

    /// <summary>Waits (bounded) for the first result with this id, sent on any stream.</summary>
    public Task<CommandResult> ResultAsync(string id) => NextResultAsync(id, 0);

    private async Task<CommandResult> NextResultAsync(string id, int seen)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < Wait)
        {
            var results = _service.Results.Where(r => r.Id == id).ToList();
            if (results.Count > seen)
            {
                return results[seen];
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        throw new TimeoutException($"no result for command {id} within {Wait.TotalSeconds} s");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        _service.Dispose();
    }

    private sealed class GatewayService(string? redirectTo) : AgentGateway.AgentGatewayBase, IDisposable
    {
        private readonly SemaphoreSlim _writeLock = new(1, 1);
        private IServerStreamWriter<AggregatorMessage>? _stream;
        private CancellationTokenSource? _drop;
        private int _reports;
        private int _connections;

        public TaskCompletionSource<Hello> Hello { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ConcurrentQueue<CommandResult> Results { get; } = new();

        public int ReportsReceived => Volatile.Read(ref _reports);

        public int Connections => Volatile.Read(ref _connections);

        /// <summary>Ends the current stream, if any; a no-op when the stream has already ended.</summary>
        public void Drop()
        {
            try
            {
                Volatile.Read(ref _drop)?.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The call ended between the read and the cancel: there is nothing left to drop.
            }
        }

        public override async Task Connect(IAsyncStreamReader<AgentMessage> requestStream, IServerStreamWriter<AggregatorMessage> responseStream, ServerCallContext context)
        {
            if (!await requestStream.MoveNext(context.CancellationToken) || requestStream.Current.BodyCase != AgentMessage.BodyOneofCase.Hello)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, "hello first"));
            }

            if (redirectTo is not null)
            {
                Interlocked.Increment(ref _connections);
                await responseStream.WriteAsync(new AggregatorMessage { Welcome = new Welcome { ProtocolVersion = 1, MaxMessageBytes = 1 << 20, LeaderAddress = redirectTo } });
                return;
            }

            using var drop = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
            _drop = drop;
            _stream = responseStream;
            await WriteAsync(new AggregatorMessage { Welcome = new Welcome { LastSeq = 0, ProtocolVersion = 1, MaxMessageBytes = 1 << 20 } });
            Interlocked.Increment(ref _connections);
            Hello.TrySetResult(requestStream.Current.Hello);
            try
            {
                await PumpAsync(requestStream, drop.Token);
            }
            finally
            {
                Interlocked.CompareExchange(ref _drop, null, drop);
            }
        }

        private async Task PumpAsync(IAsyncStreamReader<AgentMessage> requestStream, CancellationToken dropped)
        {
            while (await MoveNextOrDroppedAsync(requestStream, dropped))
            {
                var message = requestStream.Current;
                if (message.BodyCase == AgentMessage.BodyOneofCase.Report)
                {
                    Interlocked.Increment(ref _reports);
                    await WriteAsync(new AggregatorMessage { Ack = new Ack { Seq = message.Report.Seq } });
                }
                else if (message.BodyCase == AgentMessage.BodyOneofCase.CommandResult)
                {
                    Results.Enqueue(message.CommandResult);
                }
            }
        }

        public void Dispose() => _writeLock.Dispose();

        private static async Task<bool> MoveNextOrDroppedAsync(IAsyncStreamReader<AgentMessage> requests, CancellationToken dropped)
        {
            try
            {
                return await requests.MoveNext(dropped);
            }
            catch (Exception e) when (dropped.IsCancellationRequested && e is OperationCanceledException or RpcException or IOException)
            {
                // Returning ends the call: the agent sees its stream end and reconnects.
                return false;
            }
        }

        public async Task SendAsync(AggregatorMessage message)
        {
            await Hello.Task.WaitAsync(Wait);
            await WriteAsync(message);
        }

        private async Task WriteAsync(AggregatorMessage message)
        {
            await _writeLock.WaitAsync();
            try
            {
                await _stream!.WriteAsync(message);
            }
            finally
            {
                _writeLock.Release();
            }
        }
    }
}
