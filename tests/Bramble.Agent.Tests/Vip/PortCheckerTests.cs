using System.Net;
using System.Net.Sockets;
using Bramble.Agent.Probes.Vip;

namespace Bramble.Agent.Tests.Vip;

/// <summary>Real TCP on loopback only.</summary>
public sealed class PortCheckerTests
{
    [Fact]
    public async Task Check_ListeningPort_IsOpenWithALatency()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var check = await new PortChecker(TimeProvider.System).CheckAsync(IPAddress.Loopback, port, TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);

        Assert.True(check.Open, check.Error);
        Assert.Equal((uint)port, check.Port);
        Assert.True(check.ConnectLatency.ToTimeSpan() > TimeSpan.Zero);
    }

    [Fact]
    public async Task Check_ClosedPort_IsClosedWithTheSocketError()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var check = await new PortChecker(TimeProvider.System).CheckAsync(IPAddress.Loopback, port, TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);

        Assert.False(check.Open);
        Assert.Equal(nameof(SocketError.ConnectionRefused), check.Error);
        Assert.Null(check.ConnectLatency);
    }
}
