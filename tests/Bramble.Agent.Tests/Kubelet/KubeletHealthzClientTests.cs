using System.Net;
using System.Net.Sockets;
using Bramble.Agent.Probes.Kubelet;
using Bramble.Protos.V1;
using Microsoft.Extensions.DependencyInjection;

namespace Bramble.Agent.Tests.Kubelet;

public sealed class KubeletHealthzClientTests
{
    // Generous: the first HTTP call of a process takes seconds on a loaded machine; only the hanging-server test
    // waits for its (short) deadline.
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan HangDeadline = TimeSpan.FromMilliseconds(500);

    private static async Task<HealthzObservation> CheckAsync(string url, TimeSpan? deadline = null)
    {
        await using var services = KubeletTestHost.Build(new KubeletOptions { HealthzUrl = url, Timeout = deadline ?? Deadline });
        return await services.GetRequiredService<KubeletHealthzClient>().CheckAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task CheckAsync_AnswersOk_IsOk()
    {
        await using var server = FakeHealthzServer.Answering(200, "ok");

        var observation = await CheckAsync(server.Url);

        Assert.Equal(HealthzResult.Ok, observation.Result);
        Assert.Equal(200, observation.HttpStatus);
        Assert.InRange(observation.Latency, TimeSpan.FromTicks(1), Deadline);
        Assert.Equal(1, server.Requests);
    }

    public static TheoryData<int, string> Unhealthy => new()
    {
        // What a kubelet whose checks fail answers.
        { 500, "[+]ping ok\n[-]syncloop failed: reason withheld\nhealthz check failed\n" },
        { 503, "ok" },
        // 200, but not from a kubelet.
        { 200, "<html>router login</html>" },
        { 404, "404 page not found\n" },
    };

    [Theory]
    [MemberData(nameof(Unhealthy))]
    public async Task CheckAsync_AnswersOtherThan200Ok_IsUnhealthyWithItsStatus(int status, string body)
    {
        await using var server = FakeHealthzServer.Answering(status, body);

        var observation = await CheckAsync(server.Url);

        Assert.Equal(HealthzResult.Unhealthy, observation.Result);
        Assert.Equal(status, observation.HttpStatus);
        Assert.StartsWith($"HTTP {status}:", observation.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAsync_AcceptsButNeverAnswers_TimesOutAtTheDeadline()
    {
        await using var server = FakeHealthzServer.Hanging();

        var observation = await CheckAsync(server.Url, HangDeadline);

        Assert.Equal(HealthzResult.Timeout, observation.Result);
        Assert.Equal(0, observation.HttpStatus);
        // Timers round to the millisecond and may fire a fraction early; the point is "about the deadline, not sooner".
        Assert.InRange(observation.Latency, HangDeadline - TimeSpan.FromMilliseconds(20), Deadline);
    }

    [Fact]
    public async Task CheckAsync_NothingListens_IsRefused()
    {
        // A port that was just free: bound, released, and nothing listening on it now.
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();

        var observation = await CheckAsync($"http://127.0.0.1:{port}/healthz");

        Assert.Equal(HealthzResult.Refused, observation.Result);
        Assert.Contains("ConnectionRefused", observation.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAsync_HugeBody_IsUnhealthyNotBuffered()
    {
        await using var server = FakeHealthzServer.Answering(200, new string('x', KubeletHealthzClient.MaxBodyBytes * 4));

        var observation = await CheckAsync(server.Url);

        Assert.Equal(HealthzResult.Unhealthy, observation.Result);
    }

    [Fact]
    public async Task CheckAsync_CallerCancels_Throws()
    {
        await using var server = FakeHealthzServer.Hanging();
        await using var services = KubeletTestHost.Build(new KubeletOptions { HealthzUrl = server.Url, Timeout = TimeSpan.FromSeconds(10) });
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => services.GetRequiredService<KubeletHealthzClient>().CheckAsync(cancel.Token));
    }
}
