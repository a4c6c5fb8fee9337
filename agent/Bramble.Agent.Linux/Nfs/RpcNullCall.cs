using System.Buffers.Binary;

namespace Bramble.Agent.Linux.Nfs;

/// <summary>
/// The ONC-RPC NULL procedure call (RFC 5531), with TCP record marking: the cheapest proof that a server's NFS
/// program answers. A portmapper's answer proves nothing (rpcbind keeps listing a dead server); only this call does.
/// </summary>
public static class RpcNullCall
{
    /// <summary>ONC-RPC program number of NFS.</summary>
    public const uint NfsProgram = 100003;

    private const uint Call = 0;
    private const uint RpcVersion = 2;
    private const uint NullProcedure = 0;
    private const uint AuthNone = 0;
    private const int BodyLength = 40;

    /// <summary>One complete record: the last-fragment mark and the 40-byte call body.</summary>
    public static byte[] Encode(uint xid, uint program, uint version)
    {
        var record = new byte[4 + BodyLength];
        var words = new uint[]
        {
            0x8000_0000u | BodyLength, xid, Call, RpcVersion, program, version, NullProcedure,
            AuthNone, 0, // credential: AUTH_NONE, empty
            AuthNone, 0, // verifier: AUTH_NONE, empty
        };
        for (var i = 0; i < words.Length; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(record.AsSpan(i * 4), words[i]);
        }

        return record;
    }
}
