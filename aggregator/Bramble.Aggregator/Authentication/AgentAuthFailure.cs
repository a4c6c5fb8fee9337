namespace Bramble.Aggregator.Authentication;

/// <summary>Why a Connect call was refused; <see cref="Metrics.AgentAuthMetrics.Label"/> is the metric's reason label.</summary>
public enum AgentAuthFailure
{
    /// <summary>No "authorization: Bearer …" metadata at all.</summary>
    Missing,

    /// <summary>A bearer token that belongs to no node.</summary>
    UnknownToken,

    /// <summary>Another node's credential: the Hello claims a node the token or certificate was not issued to.</summary>
    NodeMismatch,

    /// <summary>MutualTls: the TLS connection carried no client certificate.</summary>
    NoCertificate,

    /// <summary>MutualTls: the client certificate does not chain to the cluster CA, or is not for client authentication.</summary>
    UntrustedCertificate,

    /// <summary>MutualTls: the client certificate has expired (or is not valid yet) by the aggregator's clock.</summary>
    ExpiredCertificate,
}
