using System.Net;
using System.Net.Sockets;
using Bramble.Agent.Linux.Systemd;
using Bramble.Agent.Probes.Kubelet;
using Bramble.Agent.Probing;
using Bramble.Protos.V1;
using Microsoft.Extensions.DependencyInjection;

namespace Bramble.Agent.Tests.Kubelet;

public sealed class KubeletProbeTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FakeUnitStateReader _systemd = new();

    public void Dispose() => _dir.Dispose();

    private static string AbsentUrl()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"http://127.0.0.1:{port}/healthz";
    }

    private KubeletOptions Options(string url) => new()
    {
        HealthzUrl = url,
        // Generous: a loaded machine must not turn an answering stand-in into a timeout. Tests of a hang set their own.
        Timeout = TimeSpan.FromSeconds(30),
        ClientCertificatePath = Path.Combine(_dir.Path, "client.pem"),
        ServingCertificatePath = Path.Combine(_dir.Path, "serving.crt"),
    };

    private async Task<(ProbeResult Result, Report Report)> RunAsync(KubeletOptions options, InMemoryFileSystem? fileSystem = null)
    {
        await using var services = KubeletTestHost.Build(options, s => s.AddSingleton<IUnitStateReader>(_systemd), fileSystem);
        var probe = services.GetServices<IProbe>().OfType<KubeletProbe>().Single();
        var result = await probe.ProbeAsync(TestContext.Current.CancellationToken);
        var report = new Report();
        result.Contribute?.Invoke(report);
        return (result, report);
    }

    [Fact]
    public async Task ProbeAsync_NoListenerNoSystemdNoCertificates_SaysNoKubeletFound()
    {
        _systemd.SystemdAvailable = false;

        var (result, report) = await RunAsync(Options(AbsentUrl()));

        Assert.Equal(ProbeStatus.NothingToProbe, result.Status);
        Assert.StartsWith("no kubelet found:", result.Detail, StringComparison.Ordinal);
        Assert.Contains("unit state unknown", result.Detail, StringComparison.Ordinal);
        Assert.Null(report.Kubelet);
    }

    [Fact]
    public async Task ProbeAsync_NoListenerAndSystemdHasNoKubeletUnit_SaysNoKubeletFoundAfterTryingEachUnit()
    {
        var (result, _) = await RunAsync(Options(AbsentUrl()));

        Assert.Equal(ProbeStatus.NothingToProbe, result.Status);
        Assert.Contains("no kubelet, k3s, k3s-agent unit", result.Detail, StringComparison.Ordinal);
        Assert.Equal(["kubelet", "k3s", "k3s-agent"], _systemd.Asked);
    }

    [Fact]
    public async Task ProbeAsync_HealthyK3sAgent_ReportsOkUnitAndStartTime()
    {
        await using var server = FakeHealthzServer.Answering(200, "ok");
        _systemd.With(new UnitState("k3s-agent", "loaded", "active", "running", 2, TimeSpan.FromSeconds(100)));
        var fs = new InMemoryFileSystem().Add("/host/proc/uptime", "3700.00 1000.00\n");
        var before = TimeProvider.System.GetUtcNow();

        var (result, report) = await RunAsync(Options(server.Url), fs);

        Assert.Equal(ProbeStatus.Ok, result.Status);
        Assert.Equal("healthz=ok;unit=k3s-agent:active/running;restarts=2;runtime=none", result.Fingerprint);
        Assert.Equal(string.Empty, result.Detail);
        var kubelet = report.Kubelet;
        Assert.Equal(HealthzResult.Ok, kubelet.Healthz);
        Assert.Equal(200, kubelet.HealthzHttpStatus);
        Assert.True(kubelet.HealthzLatency.ToTimeSpan() > TimeSpan.Zero);
        Assert.Equal("k3s-agent", kubelet.Unit);
        Assert.Equal("active", kubelet.ActiveState);
        Assert.Equal("running", kubelet.SubState);
        Assert.Equal(2u, kubelet.Restarts);
        // Active since monotonic 100 s, uptime 3,700 s: an hour ago.
        Assert.InRange(kubelet.ActiveSince.ToDateTimeOffset(), before.AddHours(-1).AddSeconds(-5), before.AddHours(-1).AddSeconds(5));
        Assert.Null(kubelet.ClientCertNotAfter);
    }

    [Fact]
    public async Task ProbeAsync_CrashLoopingKubelet_IsOkWithRefusedHealthzAndRisingRestartsInTheFingerprint()
    {
        var url = AbsentUrl();
        _systemd.With(new UnitState("kubelet", "loaded", "activating", "auto-restart", 17, null));
        var first = await RunAsync(Options(url));
        _systemd.With(new UnitState("kubelet", "loaded", "activating", "auto-restart", 18, null));
        var second = await RunAsync(Options(url));

        Assert.Equal(ProbeStatus.Ok, first.Result.Status);
        Assert.Equal(HealthzResult.Refused, first.Report.Kubelet.Healthz);
        Assert.Equal(17u, first.Report.Kubelet.Restarts);
        Assert.Null(first.Report.Kubelet.ActiveSince);
        Assert.Equal("healthz=refused;unit=kubelet:activating/auto-restart;restarts=17;runtime=none", first.Result.Fingerprint);
        Assert.NotEqual(first.Result.Fingerprint, second.Result.Fingerprint);
    }

    [Fact]
    public async Task ProbeAsync_WithoutSystemdButWithCertificates_ReportsRefusedAndTheExpiries()
    {
        _systemd.SystemdAvailable = false;
        var now = TimeProvider.System.GetUtcNow();
        var options = Options(AbsentUrl());
        var clientNotAfter = TestCertificates.WritePem(options.ClientCertificatePath, now.AddDays(-362), now.AddDays(3));
        var servingNotAfter = TestCertificates.WritePem(options.ServingCertificatePath, now.AddDays(-1), now.AddDays(364), withKey: false);

        var (result, report) = await RunAsync(options);

        Assert.Equal(ProbeStatus.Ok, result.Status);
        Assert.Equal("healthz=refused;unit=unknown;runtime=none", result.Fingerprint);
        Assert.Equal(string.Empty, report.Kubelet.Unit);
        Assert.Equal(clientNotAfter, report.Kubelet.ClientCertNotAfter.ToDateTimeOffset());
        Assert.Equal(servingNotAfter, report.Kubelet.ServingCertNotAfter.ToDateTimeOffset());
    }

    [Fact]
    public async Task ProbeAsync_WedgedKubelet_ReportsTimeoutWithinTheProbeDeadline()
    {
        await using var server = FakeHealthzServer.Hanging();
        _systemd.With(new UnitState("kubelet", "loaded", "active", "running", 0, null));
        var options = Options(server.Url);
        options.Timeout = TimeSpan.FromMilliseconds(500);

        var (result, report) = await RunAsync(options);

        Assert.Equal(ProbeStatus.Ok, result.Status);
        Assert.Equal(HealthzResult.Timeout, report.Kubelet.Healthz);
        Assert.Equal("healthz=timeout;unit=kubelet:active/running;restarts=0;runtime=none", result.Fingerprint);
        Assert.Equal("healthz no answer within 0.5 s", result.Detail);
    }

    [Fact]
    public async Task ProbeAsync_ConfiguredUnit_AsksOnlyForIt()
    {
        await using var server = FakeHealthzServer.Answering(500, "healthz check failed");
        _systemd.With(new UnitState("kubelet", "loaded", "active", "running", 0, null));
        var options = Options(server.Url);
        options.Unit = "microk8s.daemon-kubelite";

        var (result, report) = await RunAsync(options);

        Assert.Equal(["microk8s.daemon-kubelite"], _systemd.Asked);
        Assert.Equal(HealthzResult.Unhealthy, report.Kubelet.Healthz);
        Assert.Equal(500, report.Kubelet.HealthzHttpStatus);
        Assert.Equal("healthz=unhealthy;unit=none;runtime=none", result.Fingerprint);
    }

    [Fact]
    public async Task ProbeAsync_NoKubeletButACriSocketNobodyAnswers_ReportsTheRuntimeWithHealthzUnknown()
    {
        // The kubelet is gone (nothing listens, no unit, no certificate) and so is the runtime behind its socket path.
        _systemd.SystemdAvailable = false;
        var options = Options(AbsentUrl());
        options.CriSocket = Path.Combine(_dir.Path, "containerd.sock");

        var (result, report) = await RunAsync(options);

        Assert.Equal(ProbeStatus.Ok, result.Status);
        Assert.Equal("healthz=unknown;unit=unknown;runtime=refused", result.Fingerprint);
        Assert.Equal(RuntimeResult.Refused, report.Kubelet.RuntimeResult);
        Assert.False(report.Kubelet.RuntimeOk);
        Assert.Equal(options.CriSocket, report.Kubelet.RuntimeSocket);
        // Not "refused": with no sign of a kubelet, its healthz is unknown, so KubeletDown cannot fire on a runtime-only machine.
        Assert.Equal(HealthzResult.Unspecified, report.Kubelet.Healthz);
        Assert.Contains("no kubelet found", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProbeAsync_NoKubeletButAnAnsweringRuntime_ReportsTheRuntime()
    {
        _systemd.SystemdAvailable = false;
        var options = Options(AbsentUrl());
        options.CriSocket = Path.Combine(_dir.Path, "containerd.sock");
        options.Timeout = TimeSpan.FromSeconds(30);
        await using var runtime = await FakeCriServer.StartAsync(options.CriSocket, FakeCriServer.Behaviour.Answer);

        var (result, report) = await RunAsync(options);

        Assert.Equal(ProbeStatus.Ok, result.Status);
        Assert.Equal("healthz=unknown;unit=unknown;runtime=ok", result.Fingerprint);
        Assert.True(report.Kubelet.RuntimeOk);
        Assert.Equal("containerd", report.Kubelet.RuntimeName);
    }
}
