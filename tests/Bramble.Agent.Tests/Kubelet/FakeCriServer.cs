using Bramble.Protos.Cri.V1;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Bramble.Agent.Tests.Kubelet;

/// <summary>A container runtime stand-in: the CRI RuntimeService on a unix socket under a temp directory, answering, failing or hanging.</summary>
internal sealed class FakeCriServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly FakeRuntimeService _service;

    private FakeCriServer(WebApplication app, FakeRuntimeService service, string socket)
    {
        _app = app;
        _service = service;
        Socket = socket;
    }

    public enum Behaviour
    {
        Answer,
        Fail,
        Hang,
    }

    public string Socket { get; }

    /// <summary>How the next calls are answered; switched in place, so no probe falls between two servers.</summary>
    public Behaviour Current
    {
        get => _service.Behaviour;
        set => _service.Behaviour = value;
    }

    public static async Task<FakeCriServer> StartAsync(string socket, Behaviour behaviour)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenUnixSocket(socket, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        var service = new FakeRuntimeService { Behaviour = behaviour };
        builder.Services.AddSingleton(service);
        var app = builder.Build();
        app.MapGrpcService<FakeRuntimeService>();
        await app.StartAsync(TestContext.Current.CancellationToken);
        return new FakeCriServer(app, service, socket);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }

    private sealed class FakeRuntimeService : RuntimeService.RuntimeServiceBase
    {
        private volatile Behaviour _behaviour;

        public Behaviour Behaviour
        {
            get => _behaviour;
            set => _behaviour = value;
        }

        public override async Task<VersionResponse> Version(VersionRequest request, ServerCallContext context)
        {
            switch (Behaviour)
            {
                case Behaviour.Fail:
                    throw new RpcException(new Status(StatusCode.Unimplemented, "unknown service runtime.v1.RuntimeService"));
                case Behaviour.Hang:
                    await Task.Delay(Timeout.Infinite, context.CancellationToken);
                    throw new InvalidOperationException("unreachable");
                default:
                    // containerd 1.7 on a k3s node answers this way.
                    return new VersionResponse { Version = "0.1.0", RuntimeName = "containerd", RuntimeVersion = "v1.7.23-k3s2", RuntimeApiVersion = "v1" };
            }
        }
    }
}
