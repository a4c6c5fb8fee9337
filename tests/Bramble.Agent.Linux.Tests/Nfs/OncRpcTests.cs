using Bramble.Agent.Linux.Nfs;

namespace Bramble.Agent.Linux.Tests.Nfs;

/// <summary>The RPC NULL call and reply codec (RFC 5531, XDR big-endian, TCP record marking).</summary>
public sealed class OncRpcTests
{
    [Fact]
    public void Encode_NullCallForNfsV3_IsTheExactWireRecord()
    {
        var record = RpcNullCall.Encode(0x01020304, RpcNullCall.NfsProgram, 3);

        Assert.Equal(Convert.FromHexString(
            "80000028" + // last fragment, 40 bytes
            "01020304" + "00000000" + "00000002" + // xid, CALL, RPC version 2
            "000186A3" + "00000003" + "00000000" + // program 100003, version 3, procedure NULL
            "00000000" + "00000000" + "00000000" + "00000000"), record); // AUTH_NONE credential and verifier
    }

    [Theory]
    [InlineData("0102030400000001000000000000000000000000" + "00000000", RpcReplyOutcome.Success)]
    [InlineData("0102030400000001000000000000000000000000" + "00000001", RpcReplyOutcome.ProgramUnavailable)]
    [InlineData("0102030400000001000000000000000000000000" + "00000003", RpcReplyOutcome.ProcedureUnavailable)]
    [InlineData("0102030400000001000000000000000000000000" + "00000005", RpcReplyOutcome.SystemError)]
    [InlineData("010203040000000100000001" + "00000001" + "00000001", RpcReplyOutcome.AuthenticationError)]
    [InlineData("0102030400000000", RpcReplyOutcome.Malformed)] // a CALL, not a REPLY
    [InlineData("01020304000000010000000000000000", RpcReplyOutcome.Malformed)] // truncated verifier
    [InlineData("", RpcReplyOutcome.Malformed)]
    public void Decode_ReplyBodies_Classified(string hex, RpcReplyOutcome expected)
    {
        Assert.Equal(expected, RpcReply.Decode(Convert.FromHexString(hex)).Outcome);
    }

    [Fact]
    public void Decode_ProgramMismatch_CarriesTheSupportedRange()
    {
        var reply = RpcReply.Decode(Convert.FromHexString("01020304" + "00000001" + "00000000" + "00000000" + "00000000" + "00000002" + "00000002" + "00000004"));

        Assert.Equal(new RpcReply(0x01020304, RpcReplyOutcome.ProgramMismatch, 2, 4), reply);
    }

    [Fact]
    public void Decode_VerifierWithABody_IsSkippedWithItsPadding()
    {
        // AUTH_SYS-like verifier of 5 bytes, padded to 8.
        var reply = RpcReply.Decode(Convert.FromHexString("01020304" + "00000001" + "00000000" + "00000001" + "00000005" + "AABBCCDDEE000000" + "00000000"));

        Assert.Equal(RpcReplyOutcome.Success, reply.Outcome);
    }

    [Fact]
    public void DecodeRecordMark_SplitsLastFlagAndLength()
    {
        Assert.Equal((true, 24), RpcReply.DecodeRecordMark(Convert.FromHexString("80000018")));
        Assert.Equal((false, 100), RpcReply.DecodeRecordMark(Convert.FromHexString("00000064")));
    }

    [Theory]
    [InlineData("rw,vers=3,port=2050,addr=192.0.2.10", "nfs", 2050, 3u)]
    [InlineData("rw,vers=4.1,addr=192.0.2.10", "nfs4", 2049, 4u)]
    [InlineData("rw,addr=192.0.2.10", "nfs4", 2049, 4u)]
    [InlineData("rw,vers=3,port=0,addr=192.0.2.10", "nfs", 2049, 3u)]
    public void NfsEndpoint_FromMountOptions(string options, string fsType, int port, uint version)
    {
        var mount = new NfsMountInfo(1, 0, 0, "/mnt", fsType, "192.0.2.10:/x", "rw", options);

        Assert.Equal(new NfsEndpoint("192.0.2.10", port, version), NfsEndpoint.From(mount));
    }
}
