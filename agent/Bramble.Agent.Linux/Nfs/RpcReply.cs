using System.Buffers.Binary;

namespace Bramble.Agent.Linux.Nfs;

/// <summary>A decoded ONC-RPC reply: its xid, outcome and, for a mismatch, the supported version range.</summary>
public sealed record RpcReply(uint Xid, RpcReplyOutcome Outcome, uint Low = 0, uint High = 0)
{
    private const uint Reply = 1;
    private const uint MessageAccepted = 0;
    private const uint MessageDenied = 1;

    /// <summary>Decodes one reply message (the record-marking header already removed).</summary>
    public static RpcReply Decode(ReadOnlySpan<byte> message)
    {
        var reader = new XdrReader(message);
        if (!reader.TryRead(out var xid) || !reader.TryRead(out var type) || type != Reply || !reader.TryRead(out var replyStat))
        {
            return new RpcReply(xid, RpcReplyOutcome.Malformed);
        }

        if (replyStat == MessageAccepted)
        {
            // The verifier: flavor, opaque length, opaque body padded to 4 bytes.
            if (!reader.TryRead(out _) || !reader.TryRead(out var verifierLength) || !reader.TrySkip((int)((verifierLength + 3) & ~3u))
                || !reader.TryRead(out var acceptStat))
            {
                return new RpcReply(xid, RpcReplyOutcome.Malformed);
            }

            return acceptStat switch
            {
                0 => new RpcReply(xid, RpcReplyOutcome.Success),
                1 => new RpcReply(xid, RpcReplyOutcome.ProgramUnavailable),
                2 => reader.TryRead(out var low) && reader.TryRead(out var high)
                    ? new RpcReply(xid, RpcReplyOutcome.ProgramMismatch, low, high)
                    : new RpcReply(xid, RpcReplyOutcome.Malformed),
                3 => new RpcReply(xid, RpcReplyOutcome.ProcedureUnavailable),
                4 => new RpcReply(xid, RpcReplyOutcome.GarbageArguments),
                5 => new RpcReply(xid, RpcReplyOutcome.SystemError),
                _ => new RpcReply(xid, RpcReplyOutcome.Malformed),
            };
        }

        if (replyStat == MessageDenied && reader.TryRead(out var rejectStat))
        {
            return rejectStat switch
            {
                0 => reader.TryRead(out var low) && reader.TryRead(out var high)
                    ? new RpcReply(xid, RpcReplyOutcome.RpcMismatch, low, high)
                    : new RpcReply(xid, RpcReplyOutcome.Malformed),
                1 => new RpcReply(xid, RpcReplyOutcome.AuthenticationError),
                _ => new RpcReply(xid, RpcReplyOutcome.Malformed),
            };
        }

        return new RpcReply(xid, RpcReplyOutcome.Malformed);
    }

    /// <summary>Reads the 4-byte record mark of RPC over TCP: whether this is the last fragment, and its length.</summary>
    public static (bool Last, int Length) DecodeRecordMark(ReadOnlySpan<byte> mark)
    {
        var value = BinaryPrimitives.ReadUInt32BigEndian(mark);
        return ((value & 0x8000_0000u) != 0, (int)(value & 0x7FFF_FFFFu));
    }

    private ref struct XdrReader
    {
        private readonly ReadOnlySpan<byte> _data;
        private int _offset;

        public XdrReader(ReadOnlySpan<byte> data)
        {
            _data = data;
            _offset = 0;
        }

        public bool TryRead(out uint value)
        {
            if (_offset + 4 > _data.Length)
            {
                value = 0;
                return false;
            }

            value = BinaryPrimitives.ReadUInt32BigEndian(_data[_offset..]);
            _offset += 4;
            return true;
        }

        public bool TrySkip(int count)
        {
            if (count < 0 || _offset + count > _data.Length)
            {
                return false;
            }

            _offset += count;
            return true;
        }
    }
}
