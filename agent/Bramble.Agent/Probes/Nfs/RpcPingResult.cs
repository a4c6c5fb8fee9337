namespace Bramble.Agent.Probes.Nfs;

/// <summary>How an RPC NULL ping ended: answered (with its round trip), or why not.</summary>
public sealed record RpcPingResult(RpcPingOutcome Outcome, TimeSpan? RoundTrip, string Detail)
{
    public bool Reachable => Outcome == RpcPingOutcome.Answered;
}

public enum RpcPingOutcome
{
    /// <summary>The NFS program answered the NULL call.</summary>
    Answered,

    /// <summary>An RPC reply came, but refused the call (program or version unavailable, auth, garbage).</summary>
    Rejected,

    /// <summary>Nothing listens on the port (a dead NFS server; rpcbind may still list it).</summary>
    Refused,

    /// <summary>No reply within the deadline (a stopped or overloaded server: TCP may still connect).</summary>
    Timeout,

    /// <summary>Any other network failure (no route, reset).</summary>
    Failed,
}
