using System.Net.Sockets;
using Bramble.Agent.Probes.Kubelet;
using Bramble.Agent.Probing;
using Bramble.Protos.V1;
using Microsoft.Extensions.DependencyInjection;

namespace Bramble.Agent.Tests.Kubelet;

/// <summary>The CRI Version call against a real gRPC stand-in on a unix socket that answers, fails, hangs or is absent.</summary>
public sealed class CriRuntimeClientTests : IDisposable
{
    // Generous: the first gRPC call of a process sets up its channel, which takes seconds on a loaded machine; only
    // the tests of a hanging runtime wait for their (shorter) deadline.
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan HangDeadline = TimeSpan.FromSeconds(3);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string SocketPath => Path.Combine(_dir.Path, "containerd.sock");

    private static async Task<RuntimeObservation?> VersionAsync(string criSocket, TimeSpan? deadline = null)
    {
        await using var services = KubeletTestHost.Build(new KubeletOptions { CriSocket = criSocket, Timeout = deadline ?? Deadline });
        return await services.GetRequiredService<CriRuntimeClient>().VersionAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task VersionAsync_RuntimeAnswers_IsOkWithNameAndVersion()
    {
        await using var server = await FakeCriServer.StartAsync(SocketPath, FakeCriServer.Behaviour.Answer);

        var observation = await VersionAsync(SocketPath);

        Assert.Equal(new RuntimeObservation(RuntimeResult.Ok, SocketPath, "containerd", "v1.7.23-k3s2", string.Empty), observation);
    }

    [Fact]
    public async Task VersionAsync_RuntimeHangs_TimesOut()
    {
        await using var server = await FakeCriServer.StartAsync(SocketPath, FakeCriServer.Behaviour.Hang);
        var started = TimeProvider.System.GetTimestamp();

        var observation = await VersionAsync(SocketPath, HangDeadline);

        Assert.Equal(RuntimeResult.Timeout, observation!.Result);
        Assert.InRange(TimeProvider.System.GetElapsedTime(started), HangDeadline - TimeSpan.FromMilliseconds(20), Deadline);
    }

    [Fact]
    public async Task VersionAsync_RuntimeAnswersWithAnError_IsError()
    {
        await using var server = await FakeCriServer.StartAsync(SocketPath, FakeCriServer.Behaviour.Fail);

        var observation = await VersionAsync(SocketPath);

        Assert.Equal(RuntimeResult.Error, observation!.Result);
        Assert.StartsWith("Unimplemented:", observation.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VersionAsync_ConfiguredSocketMissing_IsRefused()
    {
        var observation = await VersionAsync(SocketPath);

        Assert.Equal(RuntimeResult.Refused, observation!.Result);
        Assert.Equal(SocketPath, observation.Socket);
        Assert.Contains("AddressNotAvailable", observation.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VersionAsync_StaleSocketFileNobodyListensOn_IsRefused()
    {
        // A runtime that died leaves its socket file behind. .NET unlinks the path it bound when the socket is
        // disposed, so the file is moved away from that path first.
        var bound = Path.Combine(_dir.Path, "bound.sock");
        using (var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            listener.Bind(new UnixDomainSocketEndPoint(bound));
            File.Move(bound, SocketPath);
        }

        Assert.True(File.Exists(SocketPath));

        var observation = await VersionAsync(SocketPath);

        Assert.Equal(RuntimeResult.Refused, observation!.Result);
        Assert.Contains("ConnectionRefused", observation.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FindSocket_NothingConfigured_TakesTheFirstDefaultSocketThatExists()
    {
        await using var server = await FakeCriServer.StartAsync(SocketPath, FakeCriServer.Behaviour.Answer);
        var client = new CriRuntimeClient(Microsoft.Extensions.Options.Options.Create(new KubeletOptions()), TimeProvider.System)
        {
            DefaultSockets = [Path.Combine(_dir.Path, "missing.sock"), SocketPath],
        };
        using (client)
        {
            Assert.Equal(SocketPath, client.FindSocket());
            Assert.Equal(RuntimeResult.Ok, (await client.VersionAsync(TestContext.Current.CancellationToken))!.Result);
        }
    }

    [Fact]
    public async Task VersionAsync_NoSocketConfiguredOrFound_AsksNobody()
    {
        Assert.Null(await VersionAsync(string.Empty));
    }

    [Fact]
    public async Task KubeletProbe_WedgedRuntime_ReportsItWithinTheProbeDeadline()
    {
        await using var healthz = FakeHealthzServer.Answering(200, "ok");
        await using var server = await FakeCriServer.StartAsync(SocketPath, FakeCriServer.Behaviour.Hang);
        var options = new KubeletOptions { HealthzUrl = healthz.Url, Timeout = HangDeadline, CriSocket = SocketPath };
        await using var services = KubeletTestHost.Build(options, s => s.AddSingleton<IUnitStateReader>(new FakeUnitStateReader { SystemdAvailable = false }));
        var probe = services.GetServices<IProbe>().OfType<KubeletProbe>().Single();

        var result = await probe.ProbeAsync(TestContext.Current.CancellationToken).WaitAsync(probe.Timeout!.Value, TestContext.Current.CancellationToken);
        var report = new Report();
        result.Contribute!(report);

        Assert.Equal("healthz=ok;unit=unknown;runtime=timeout", result.Fingerprint);
        Assert.False(report.Kubelet.RuntimeOk);
        Assert.Equal(RuntimeResult.Timeout, report.Kubelet.RuntimeResult);
        Assert.Equal(SocketPath, report.Kubelet.RuntimeSocket);
    }

    [Fact]
    public async Task KubeletProbe_AnsweringRuntime_ReportsNameAndVersion()
    {
        await using var healthz = FakeHealthzServer.Answering(200, "ok");
        await using var server = await FakeCriServer.StartAsync(SocketPath, FakeCriServer.Behaviour.Answer);
        var options = new KubeletOptions { HealthzUrl = healthz.Url, Timeout = Deadline, CriSocket = SocketPath };
        await using var services = KubeletTestHost.Build(options, s => s.AddSingleton<IUnitStateReader>(new FakeUnitStateReader { SystemdAvailable = false }));
        var probe = services.GetServices<IProbe>().OfType<KubeletProbe>().Single();

        var result = await probe.ProbeAsync(TestContext.Current.CancellationToken);
        var report = new Report();
        result.Contribute!(report);

        Assert.Equal("healthz=ok;unit=unknown;runtime=ok", result.Fingerprint);
        Assert.True(report.Kubelet.RuntimeOk);
        Assert.Equal("containerd", report.Kubelet.RuntimeName);
        Assert.Equal("v1.7.23-k3s2", report.Kubelet.RuntimeVersion);
    }
}
