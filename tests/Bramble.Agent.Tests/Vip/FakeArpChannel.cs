using System.Threading.Channels;
using Bramble.Agent.Probes.Vip;

namespace Bramble.Agent.Tests.Vip;

/// <summary>An ARP channel fed by the test; counts receive calls so a test knows when a frame has been handled.</summary>
internal sealed class FakeArpChannel : IArpChannel, IArpChannelFactory
{
    private readonly Channel<byte[]> _incoming = Channel.CreateUnbounded<byte[]>();
    private int _receiveCalls;

    public FakeArpChannel(string interfaceName = "eth0", string mac = "02:00:00:00:00:09")
    {
        InterfaceName = interfaceName;
        Mac = mac;
    }

    public string InterfaceName { get; }

    public string Mac { get; }

    public List<byte[]> Sent { get; } = [];

    public List<string> Opened { get; } = [];

    public Exception? OpenFailure { get; set; }

    public bool Disposed { get; private set; }

    public int ReceiveCalls => Volatile.Read(ref _receiveCalls);

    public IArpChannel Open(string interfaceName)
    {
        Opened.Add(interfaceName);
        return OpenFailure is null ? this : throw OpenFailure;
    }

    public void Send(ReadOnlySpan<byte> frame) => Sent.Add(frame.ToArray());

    public async ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _receiveCalls);
        var frame = await _incoming.Reader.ReadAsync(cancellationToken);
        frame.CopyTo(buffer);
        return frame.Length;
    }

    /// <summary>Hands the frames over and waits (bounded) until the reader has handled them and asks for the next.</summary>
    public async Task DeliverAsync(params byte[][] frames)
    {
        var target = ReceiveCalls + frames.Length;
        foreach (var frame in frames)
        {
            _incoming.Writer.TryWrite(frame);
        }

        for (var i = 0; i < 500 && ReceiveCalls < target; i++)
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        Assert.True(ReceiveCalls >= target, $"the reader handled {ReceiveCalls} of {target} receive calls");
    }

    public void Dispose() => Disposed = true;
}
