namespace Bramble.Agent.Linux.Nfs;

/// <summary>What an ONC-RPC reply said (RFC 5531: reply_stat, accept_stat, reject_stat).</summary>
public enum RpcReplyOutcome
{
    /// <summary>MSG_ACCEPTED, SUCCESS: the program answered.</summary>
    Success,

    /// <summary>PROG_UNAVAIL: the server runs, but not this program (e.g. no NFS service).</summary>
    ProgramUnavailable,

    /// <summary>PROG_MISMATCH: the program runs, but not this version (see the supported range).</summary>
    ProgramMismatch,

    ProcedureUnavailable,
    GarbageArguments,
    SystemError,

    /// <summary>MSG_DENIED, RPC_MISMATCH: the server speaks another RPC version.</summary>
    RpcMismatch,

    /// <summary>MSG_DENIED, AUTH_ERROR.</summary>
    AuthenticationError,

    /// <summary>Not an RPC reply we can read.</summary>
    Malformed,
}
