namespace Bramble.Aggregator.Authentication;

/// <summary>How agents prove which node they are when they open their report stream (Aggregator:AgentAuthentication).</summary>
public enum AgentAuthenticationMode
{
    /// <summary>Not at all: any host that reaches the gRPC port can report as any node. Logged as a warning at start.</summary>
    None,

    /// <summary>A per-node bearer token on the Connect call, bound to the node named in its Hello.</summary>
    Token,

    /// <summary>A TLS client certificate signed by the cluster CA, bound to the node it names (Aggregator:Tls).</summary>
    MutualTls,
}
