using System.Buffers.Binary;

namespace Bramble.Agent.Linux.PacketFilter;

/// <summary>
/// One classic BPF instruction (Linux struct sock_filter: u16 code, u8 jt, u8 jf, u32 k, in host byte order), the
/// language SO_ATTACH_FILTER takes. Only what the agent's filters use is named here.
/// </summary>
public readonly record struct BpfInstruction(ushort Code, byte JumpTrue, byte JumpFalse, uint K)
{
    /// <summary>Size of one struct sock_filter.</summary>
    public const int Size = 8;

    /// <summary>BPF_LD | BPF_W | BPF_ABS: A = 32-bit word at offset K, network order.</summary>
    public const ushort LoadWordAbsolute = 0x20;

    /// <summary>BPF_LD | BPF_H | BPF_ABS: A = 16-bit half-word at offset K, network order.</summary>
    public const ushort LoadHalfAbsolute = 0x28;

    /// <summary>BPF_LD | BPF_B | BPF_ABS: A = the byte at offset K.</summary>
    public const ushort LoadByteAbsolute = 0x30;

    /// <summary>BPF_JMP | BPF_JEQ | BPF_K: skip JumpTrue instructions if A == K, else JumpFalse.</summary>
    public const ushort JumpIfEqual = 0x15;

    /// <summary>BPF_RET | BPF_K: accept K bytes of the packet (0 drops it).</summary>
    public const ushort Return = 0x06;

    public static BpfInstruction LoadWord(uint offset) => new(LoadWordAbsolute, 0, 0, offset);

    public static BpfInstruction LoadHalf(uint offset) => new(LoadHalfAbsolute, 0, 0, offset);

    public static BpfInstruction JumpEqual(uint value, byte jumpTrue, byte jumpFalse) => new(JumpIfEqual, jumpTrue, jumpFalse, value);

    public static BpfInstruction Accept(uint bytes) => new(Return, 0, 0, bytes);

    /// <summary>Writes the struct sock_filter the kernel reads: fields in the host's byte order.</summary>
    public void WriteTo(Span<byte> destination)
    {
        if (BitConverter.IsLittleEndian)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(destination, Code);
            BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], K);
        }
        else
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination, Code);
            BinaryPrimitives.WriteUInt32BigEndian(destination[4..], K);
        }

        destination[2] = JumpTrue;
        destination[3] = JumpFalse;
    }

    /// <summary>A whole program as the array of struct sock_filter that struct sock_fprog points at.</summary>
    public static byte[] Encode(IReadOnlyList<BpfInstruction> program)
    {
        ArgumentNullException.ThrowIfNull(program);
        var bytes = new byte[program.Count * Size];
        for (var i = 0; i < program.Count; i++)
        {
            program[i].WriteTo(bytes.AsSpan(i * Size, Size));
        }

        return bytes;
    }
}
