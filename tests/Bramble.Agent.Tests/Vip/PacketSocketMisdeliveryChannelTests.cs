using System.Net;
using System.Net.Sockets;
using Bramble.Agent.Linux.FileSystem;
using Bramble.Agent.Linux.PacketFilter;
using Bramble.Agent.Probes.Vip;

namespace Bramble.Agent.Tests.Vip;

/// <summary>
/// The real socket with the real kernel: the filter is attached and does its work in the kernel. On loopback only
/// (its MAC is all zeros; a datagram to a 127/8 address crosses it as an Ethernet frame), so nothing leaves the
/// machine; needs CAP_NET_RAW, as the agent does.
/// </summary>
public sealed class PacketSocketMisdeliveryChannelTests
{
    private static readonly IPAddress Watched = IPAddress.Parse("127.0.0.77");
    private static readonly IPAddress Other = IPAddress.Parse("127.0.0.78");

    [Fact]
    public async Task Open_OnLoopback_OnlyFramesForTheWatchedAddressReachUserSpace_CutToTheSnapLength()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux() && Environment.UserName == "root", "needs CAP_NET_RAW (run as root) and Linux");
        var factory = new PacketSocketMisdeliveryChannelFactory(PhysicalFileSystem.Instance, new HostPaths("/proc", "/sys"));
        using var channel = factory.Open("lo", [Watched]);
        Assert.Equal("00:00:00:00:00:00", channel.Mac);

        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var payload = new byte[200];
        for (var i = 0; i < 20; i++)
        {
            sender.SendTo(payload, new IPEndPoint(Other, 9));
        }

        sender.SendTo(payload, new IPEndPoint(Watched, 9));

        // Had the kernel passed everything, the first frame read would be one of the twenty for the other address.
        var buffer = new byte[1600];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var length = await channel.ReceiveAsync(buffer, timeout.Token);

        var frame = Ipv4FrameAddressing.TryParse(buffer.AsSpan(0, length));
        Assert.NotNull(frame);
        Assert.Equal(Watched, frame.Destination);
        Assert.Equal((int)MisdeliveryFilter.SnapLength, length);
    }

    [Fact]
    public void Open_NoSuchInterface_SaysWhich()
    {
        var factory = new PacketSocketMisdeliveryChannelFactory(new InMemoryFileSystem(), new HostPaths("/host/proc", "/host/sys"));

        var e = Assert.Throws<ArpChannelUnavailableException>(() => factory.Open("eth9", [Watched]));

        Assert.Contains("eth9", e.Message, StringComparison.Ordinal);
        Assert.False(e.MissingCapability);
    }
}
