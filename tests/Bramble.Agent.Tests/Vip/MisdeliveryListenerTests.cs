using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Bramble.Agent.Linux.Arp;
using Bramble.Agent.Linux.FileSystem;
using Bramble.Agent.Probes.Vip;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bramble.Agent.Tests.Vip;

public sealed class MisdeliveryListenerTests
{
    private const string NodeMac = "02:00:00:00:00:01";
    private const string Router = "02:00:00:00:00:09";
    private static readonly HostPaths Paths = new("/host/proc", "/host/sys");
    private static readonly IPAddress Vip = IPAddress.Parse("192.0.2.100");

    private const string FibTrieWithVip = """
        Main:
          +-- 192.0.2.0/24 2 0 1
             |-- 192.0.2.1
                /32 host LOCAL
             |-- 192.0.2.100
                /32 host LOCAL
        """;

    private readonly WatchedTime _time = new();
    private readonly MisdeliveredFrames _frames = new();
    private readonly InMemoryFileSystem _fs = new();

    [Fact]
    public async Task Listener_FramesForAVipNotHeldHere_AreCountedWithTimeAndSource()
    {
        var channel = new ScriptedChannel();
        var factory = new ScriptedFactory(channel);
        var logger = new CapturingLogger<MisdeliveryListener>();
        using var listener = Listener(factory, logger);

        await listener.StartAsync(TestContext.Current.CancellationToken);
        await channel.DeliverAsync(Frame(Vip, NodeMac, Router), Frame(Vip, NodeMac, Router));
        _time.Advance(TimeSpan.FromMilliseconds(250));
        await channel.DeliverAsync(
            Frame(Vip, NodeMac, "02:00:00:00:00:0a"),
            Frame(Vip, "02:00:00:00:00:02", Router),                               // not at this MAC: a filter slip
            ArpFrameCodec.BuildRequest(Router, Vip),                               // not IPv4
            Frame(Vip, NodeMac, Router)[..20]);                                    // cut short
        await listener.StopAsync(TestContext.Current.CancellationToken);

        Assert.Equal(new MisdeliveryTally(3, _time.GetUtcNow(), "02:00:00:00:00:0a"), _frames.Read(Vip));
        Assert.Equal(["eth0"], factory.Opened.Select(o => o.Interface));
        Assert.Equal([Vip], factory.Opened[0].Vips);

        // One line for the first frame and one for the new source, not one per frame.
        Assert.Equal(2, logger.Entries.Count(e => e == (LogLevel.Warning, 725)));
    }

    [Fact]
    public async Task Listener_VipAssignedHere_IsNotCounted_UntilItIsGone()
    {
        _fs.Add("/host/proc/net/fib_trie", FibTrieWithVip);
        var channel = new ScriptedChannel();
        using var listener = Listener(new ScriptedFactory(channel));

        await listener.StartAsync(TestContext.Current.CancellationToken);
        await channel.DeliverAsync(Frame(Vip, NodeMac, Router));
        Assert.Null(_frames.Read(Vip));

        // The VIP moves away; within a refresh interval the frames count.
        _fs.Add("/host/proc/net/fib_trie", FibTrieWithVip.Replace("192.0.2.100", "192.0.2.200", StringComparison.Ordinal));
        _time.Advance(LocalVipHoldings.RefreshInterval);
        await channel.DeliverAsync(Frame(Vip, NodeMac, Router));
        await listener.StopAsync(TestContext.Current.CancellationToken);

        Assert.Equal(1ul, _frames.Read(Vip)!.Total);
    }

    [Fact]
    public async Task Listener_SocketLost_ReopensAfterTheDelay_AndKeepsCounting()
    {
        var first = new ScriptedChannel { FailWhenDrained = new SocketException((int)SocketError.NetworkDown) };
        var second = new ScriptedChannel();
        var factory = new ScriptedFactory(first, second);
        var logger = new CapturingLogger<MisdeliveryListener>();
        using var listener = Listener(factory, logger);

        await listener.StartAsync(TestContext.Current.CancellationToken);
        Assert.Equal(MisdeliveryListener.ReopenDelay, await _time.NextTimerAsync());
        Assert.True(first.Disposed);
        _time.Advance(MisdeliveryListener.ReopenDelay);
        await second.DeliverAsync(Frame(Vip, NodeMac, Router));
        await listener.StopAsync(TestContext.Current.CancellationToken);

        Assert.Equal(2, factory.Opened.Count);
        Assert.Equal(1ul, _frames.Read(Vip)!.Total);
        Assert.Equal([(LogLevel.Warning, 721)], logger.Entries.Where(e => e.Level >= LogLevel.Warning && e.EventId != 725));
    }

    [Fact]
    public async Task Listener_WithoutCapNetRaw_StopsInsteadOfRetrying()
    {
        var factory = new ScriptedFactory { Failure = new ArpChannelUnavailableException("needs CAP_NET_RAW") { MissingCapability = true } };
        using var listener = Listener(factory);

        await listener.StartAsync(TestContext.Current.CancellationToken);
        await listener.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);

        Assert.Single(factory.Opened);
    }

    /// <summary>An untagged Ethernet II frame carrying a minimal IPv4 header (UDP, no payload).</summary>
    private static byte[] Frame(IPAddress destination, string toMac, string fromMac)
    {
        var frame = new byte[34];
        ArpFrameCodec.MacBytes(toMac).CopyTo(frame, 0);
        ArpFrameCodec.MacBytes(fromMac).CopyTo(frame, 6);
        frame[12] = 0x08;
        frame[14] = 0x45;
        frame[23] = 17;
        new byte[] { 192, 0, 2, 9 }.CopyTo(frame, 26);
        destination.GetAddressBytes().CopyTo(frame, 30);
        return frame;
    }

    private MisdeliveryListener Listener(IMisdeliveryChannelFactory factory, ILogger<MisdeliveryListener>? logger = null)
    {
        var options = new VipOptions();
        options.Watch.Add(new VipWatchOptions { Address = "192.0.2.100", Interface = "eth0" });
        return new MisdeliveryListener(
            Microsoft.Extensions.Options.Options.Create(options), factory, _frames, new LocalVipHoldings(_fs, Paths, _time), _fs, Paths, _time,
            logger ?? NullLogger<MisdeliveryListener>.Instance);
    }

    private sealed class ScriptedFactory(params ScriptedChannel[] channels) : IMisdeliveryChannelFactory
    {
        private readonly Lock _gate = new();

        public Exception? Failure { get; init; }

        public List<(string Interface, IPAddress[] Vips)> Opened { get; } = [];

        public IMisdeliveryChannel Open(string interfaceName, IReadOnlyCollection<IPAddress> vips)
        {
            int n;
            lock (_gate)
            {
                Opened.Add((interfaceName, vips.ToArray()));
                n = Opened.Count;
            }

            return Failure is not null ? throw Failure : channels[Math.Min(n, channels.Length) - 1];
        }
    }

    private sealed class ScriptedChannel : IMisdeliveryChannel
    {
        private readonly Channel<byte[]> _frames = Channel.CreateUnbounded<byte[]>();
        private int _receiveCalls;

        public Exception? FailWhenDrained { get; init; }

        public bool Disposed { get; private set; }

        public string Mac => NodeMac;

        public async ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _receiveCalls);
            if (!_frames.Reader.TryRead(out var frame))
            {
                if (FailWhenDrained is not null)
                {
                    throw FailWhenDrained;
                }

                frame = await _frames.Reader.ReadAsync(cancellationToken);
            }

            var length = Math.Min(frame.Length, buffer.Length);
            frame.AsSpan(0, length).CopyTo(buffer.Span);
            return length;
        }

        /// <summary>Hands the frames over and waits (bounded) until the listener handled them and asks for the next.</summary>
        public async Task DeliverAsync(params byte[][] frames)
        {
            var target = Volatile.Read(ref _receiveCalls) + frames.Length;
            if (Volatile.Read(ref _receiveCalls) == 0)
            {
                target++;
            }

            foreach (var frame in frames)
            {
                _frames.Writer.TryWrite(frame);
            }

            for (var i = 0; i < 500 && Volatile.Read(ref _receiveCalls) < target; i++)
            {
                await Task.Delay(10, TestContext.Current.CancellationToken);
            }

            Assert.True(Volatile.Read(ref _receiveCalls) >= target, $"the listener made {_receiveCalls} of {target} receive calls");
        }

        public void Dispose() => Disposed = true;
    }
}
