using System.Buffers.Binary;
using Bramble.Agent.Linux.PacketFilter;

namespace Bramble.Agent.Linux.Tests.PacketFilter;

/// <summary>
/// Runs a classic BPF program over a frame as the kernel's sk_run_filter would, for the instructions the agent's
/// and tcpdump's filters of this kind use (absolute loads, jeq, ret). Anything else fails the test rather than
/// guessing. A load past the end of the frame drops it, as in the kernel.
/// </summary>
internal static class ClassicBpfInterpreter
{
    public static uint Run(IReadOnlyList<BpfInstruction> program, ReadOnlySpan<byte> frame)
    {
        uint a = 0;
        var pc = 0;
        for (var steps = 0; steps < 4096; steps++)
        {
            Assert.InRange(pc, 0, program.Count - 1);
            var op = program[pc];
            switch (op.Code)
            {
                case BpfInstruction.LoadWordAbsolute:
                    if (op.K + 4 > frame.Length)
                    {
                        return 0;
                    }

                    a = BinaryPrimitives.ReadUInt32BigEndian(frame[(int)op.K..]);
                    pc++;
                    break;
                case BpfInstruction.LoadHalfAbsolute:
                    if (op.K + 2 > frame.Length)
                    {
                        return 0;
                    }

                    a = BinaryPrimitives.ReadUInt16BigEndian(frame[(int)op.K..]);
                    pc++;
                    break;
                case BpfInstruction.LoadByteAbsolute:
                    if (op.K + 1 > frame.Length)
                    {
                        return 0;
                    }

                    a = frame[(int)op.K];
                    pc++;
                    break;
                case BpfInstruction.JumpIfEqual:
                    pc += 1 + (a == op.K ? op.JumpTrue : op.JumpFalse);
                    break;
                case BpfInstruction.Return:
                    return op.K;
                default:
                    Assert.Fail($"instruction 0x{op.Code:x2} at {pc} is not supported by this interpreter");
                    break;
            }
        }

        Assert.Fail("the program did not return within 4096 steps");
        return 0;
    }

    /// <summary>Reads `tcpdump -dd` output ("{ 0x28, 0, 0, 0x0000000c }," per line).</summary>
    public static IReadOnlyList<BpfInstruction> ParseTcpdumpDd(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Trim('{', '}', ',', ' ').Split(',', StringSplitOptions.TrimEntries))
            .Select(f => new BpfInstruction(
                Convert.ToUInt16(f[0], 16), byte.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture),
                byte.Parse(f[2], System.Globalization.CultureInfo.InvariantCulture), Convert.ToUInt32(f[3], 16)))
            .ToArray();
}
