using System.Buffers.Binary;
using System.Text.RegularExpressions;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Vip;

/// <summary>
/// tcpdump writing every ARP frame seen on a namespace's eth0 to a pcap file, for a measurement independent of
/// Bramble: the file is read back here with a few lines of pcap and ARP decoding that share nothing with the agent.
/// </summary>
internal sealed partial class ArpCapture : IDisposable
{
    private readonly ManagedProcess _tcpdump;
    private readonly string _file;

    private ArpCapture(ManagedProcess tcpdump, string file)
    {
        _tcpdump = tcpdump;
        _file = file;
    }

    public static bool Available => File.Exists("/usr/bin/tcpdump") || File.Exists("/usr/sbin/tcpdump");

    public static async Task<ArpCapture> StartAsync(string ns, string directory)
    {
        var file = Path.Combine(directory, $"{ns}.pcap");

        // -U writes each packet as it comes; -Z root keeps tcpdump able to write into the test's root-owned directory.
        var tcpdump = NetworkLab.StartIn(ns, $"tcpdump {ns}", "tcpdump", ["-i", "eth0", "-n", "-U", "-Z", "root", "-w", file, "arp"]);
        await tcpdump.WaitForLineAsync(ListeningLine(), TimeSpan.FromSeconds(15));
        return new ArpCapture(tcpdump, file);
    }

    /// <summary>Stops the capture (SIGINT: tcpdump flushes and exits) and returns every ARP frame, in capture order.</summary>
    public async Task<IReadOnlyList<CapturedArp>> StopAsync()
    {
        if (!_tcpdump.HasExited)
        {
            _tcpdump.Signal(Signals.Interrupt);
        }

        await _tcpdump.WaitForExitAsync(TimeSpan.FromSeconds(15));
        return Read(await File.ReadAllBytesAsync(_file));
    }

    /// <summary>
    /// The failover as the capture shows it: the first answer or gratuitous ARP for the VIP from the new MAC after
    /// <paramref name="after"/>, and the last answer or gratuitous ARP from the old MAC before that.
    /// </summary>
    public static (DateTimeOffset LastOld, DateTimeOffset FirstNew) Failover(IReadOnlyList<CapturedArp> frames, string vip, string oldMac, string newMac, DateTimeOffset after)
    {
        ArgumentNullException.ThrowIfNull(frames);
        var firstNew = frames.First(f => f.At >= after && f.Claims(vip) && f.SenderMac == newMac).At;
        var lastOld = frames.Last(f => f.At < firstNew && f.Claims(vip) && f.SenderMac == oldMac).At;
        return (lastOld, firstNew);
    }

    public void Dispose() => _tcpdump.Dispose();

    private static List<CapturedArp> Read(byte[] pcap)
    {
        // Global header: magic (a1b2c3d4 microseconds, a1b23c4d nanoseconds, in the writer's byte order), then 20 bytes.
        var magic = BinaryPrimitives.ReadUInt32LittleEndian(pcap);
        Assert.True(magic is 0xa1b2c3d4 or 0xa1b23c4d, $"not a little-endian pcap file (magic 0x{magic:x8})");
        var fractionPerSecond = magic == 0xa1b2c3d4 ? 1_000_000L : 1_000_000_000L;
        var frames = new List<CapturedArp>();
        var offset = 24;
        while (offset + 16 <= pcap.Length)
        {
            var seconds = BinaryPrimitives.ReadUInt32LittleEndian(pcap.AsSpan(offset));
            var fraction = BinaryPrimitives.ReadUInt32LittleEndian(pcap.AsSpan(offset + 4));
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(pcap.AsSpan(offset + 8));
            var frame = pcap.AsSpan(offset + 16, Math.Min(length, pcap.Length - offset - 16));
            offset += 16 + length;
            if (frame.Length < 42 || frame[12] != 0x08 || frame[13] != 0x06)
            {
                continue;
            }

            var at = DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks(fraction * TimeSpan.TicksPerSecond / fractionPerSecond);
            frames.Add(new CapturedArp(at, Mac(frame[0..6]), BinaryPrimitives.ReadUInt16BigEndian(frame[20..22]), Mac(frame[22..28]), Ip(frame[28..32]), Ip(frame[38..42])));
        }

        return frames;
    }

    private static string Mac(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes).Chunk(2).Select(c => new string(c)).Aggregate((a, b) => $"{a}:{b}");

    private static string Ip(ReadOnlySpan<byte> bytes) => $"{bytes[0]}.{bytes[1]}.{bytes[2]}.{bytes[3]}";

    [GeneratedRegex("listening on eth0")]
    private static partial Regex ListeningLine();
}
