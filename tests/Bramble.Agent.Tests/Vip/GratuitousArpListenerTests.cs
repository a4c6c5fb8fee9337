using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Bramble.Agent.Linux.FileSystem;
using Bramble.Agent.Probes.Vip;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bramble.Agent.Tests.Vip;

public sealed class GratuitousArpListenerTests
{
    private static readonly HostPaths Paths = new("/host/proc", "/host/sys");
    private readonly WatchedTime _time = new();
    private readonly GratuitousArpLog _log = new();

    [Fact]
    public async Task Listener_RecordsGratuitousArpForWatchedVipsOnly()
    {
        var channel = new ScriptedChannel();
        channel.Frames.Writer.TryWrite(ArpFrames.Gratuitous("02:00:00:00:00:07", "192.0.2.55"));
        channel.Frames.Writer.TryWrite(ArpFrames.Reply("02:00:00:00:00:06", "192.0.2.100"));     // an answer, unicast
        channel.Frames.Writer.TryWrite(ArpFrames.Gratuitous("02:00:00:00:00:02", "192.0.2.100"));
        using var listener = Listener(new ScriptedFactory(channel));

        await listener.StartAsync(TestContext.Current.CancellationToken);
        await channel.WaitDrainedAsync();
        await listener.StopAsync(TestContext.Current.CancellationToken);

        Assert.Equal(new GratuitousArpSighting(_time.GetUtcNow(), "02:00:00:00:00:02"), _log.Last(IPAddress.Parse("192.0.2.100")));
        Assert.Null(_log.Last(IPAddress.Parse("192.0.2.55")));
    }

    [Fact]
    public async Task Listener_SocketLost_ReopensAfterTheDelayAndKeepsListening()
    {
        var first = new ScriptedChannel { FailWhenDrained = new SocketException((int)SocketError.NetworkDown) };
        var second = new ScriptedChannel();
        var factory = new ScriptedFactory(first, second);
        using var listener = Listener(factory);

        await listener.StartAsync(TestContext.Current.CancellationToken);
        Assert.Equal(GratuitousArpListener.ReopenDelay, await _time.NextTimerAsync());
        Assert.Equal(1, factory.Opens);
        Assert.True(first.Disposed);

        _time.Advance(GratuitousArpListener.ReopenDelay);
        second.Frames.Writer.TryWrite(ArpFrames.Gratuitous("02:00:00:00:00:03", "192.0.2.100"));
        await second.WaitDrainedAsync();
        await listener.StopAsync(TestContext.Current.CancellationToken);

        Assert.Equal(2, factory.Opens);
        Assert.Equal("02:00:00:00:00:03", _log.Last(IPAddress.Parse("192.0.2.100"))!.Mac);
    }

    [Fact]
    public async Task Listener_WithoutCapNetRaw_StopsInsteadOfRetrying()
    {
        var factory = new ScriptedFactory { Failure = new ArpChannelUnavailableException("needs CAP_NET_RAW") { MissingCapability = true } };
        using var listener = Listener(factory);

        await listener.StartAsync(TestContext.Current.CancellationToken);
        await listener.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);

        Assert.Equal(1, factory.Opens);
    }

    [Fact]
    public async Task Listener_InterfaceGoneForLong_WarnsOnceThenRetriesQuietly()
    {
        var factory = new ScriptedFactory { Failure = new ArpChannelUnavailableException("interface eth0 not found under /host/sys/class/net") };
        var logger = new CapturingLogger<GratuitousArpListener>();
        using var listener = Listener(factory, logger);

        await listener.StartAsync(TestContext.Current.CancellationToken);
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            Assert.Equal(GratuitousArpListener.ReopenDelay, await _time.NextTimerAsync());
            _time.Advance(GratuitousArpListener.ReopenDelay);
        }

        await _time.NextTimerAsync();
        await listener.StopAsync(TestContext.Current.CancellationToken);

        Assert.Equal(4, factory.Opens);
        Assert.Equal([(LogLevel.Warning, 702)], logger.Entries.Where(e => e.Level >= LogLevel.Warning));
        Assert.Equal(3, logger.Entries.Count(e => e == (LogLevel.Debug, 707)));
    }

    private GratuitousArpListener Listener(IArpChannelFactory factory, ILogger<GratuitousArpListener>? logger = null)
    {
        var options = new VipOptions();
        options.Watch.Add(new VipWatchOptions { Address = "192.0.2.100", Interface = "eth0" });
        return new GratuitousArpListener(
            Microsoft.Extensions.Options.Options.Create(options), factory, _log,
            new VipAnnouncements(new Bramble.Agent.Probing.ProbeWakeup(), Microsoft.Extensions.Options.Options.Create(options)), new InMemoryFileSystem(), Paths, _time, logger ?? NullLogger<GratuitousArpListener>.Instance);
    }

    private sealed class ScriptedFactory(params ScriptedChannel[] channels) : IArpChannelFactory
    {
        private int _opens;

        public Exception? Failure { get; init; }

        public int Opens => Volatile.Read(ref _opens);

        public IArpChannel Open(string interfaceName)
        {
            var n = Interlocked.Increment(ref _opens);
            return Failure is not null ? throw Failure : channels[Math.Min(n, channels.Length) - 1];
        }
    }

    private sealed class ScriptedChannel : IArpChannel
    {
        private int _waiting;

        public Channel<byte[]> Frames { get; } = Channel.CreateUnbounded<byte[]>();

        public Exception? FailWhenDrained { get; init; }

        public bool Disposed { get; private set; }

        public string InterfaceName => "eth0";

        public string Mac => "02:00:00:00:00:09";

        public void Send(ReadOnlySpan<byte> frame) => throw new InvalidOperationException("the listener never sends");

        public async ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
        {
            if (!Frames.Reader.TryRead(out var frame))
            {
                if (FailWhenDrained is not null)
                {
                    throw FailWhenDrained;
                }

                Volatile.Write(ref _waiting, 1);
                frame = await Frames.Reader.ReadAsync(cancellationToken);
                Volatile.Write(ref _waiting, 0);
            }

            frame.CopyTo(buffer);
            return frame.Length;
        }

        /// <summary>Waits (bounded) until every frame was read and the listener waits for more.</summary>
        public async Task WaitDrainedAsync()
        {
            for (var i = 0; i < 500 && (Frames.Reader.Count > 0 || Volatile.Read(ref _waiting) == 0); i++)
            {
                await Task.Delay(10, TestContext.Current.CancellationToken);
            }

            Assert.True(Frames.Reader.Count == 0 && Volatile.Read(ref _waiting) == 1, "the listener did not drain its frames");
        }

        public void Dispose() => Disposed = true;
    }
}
