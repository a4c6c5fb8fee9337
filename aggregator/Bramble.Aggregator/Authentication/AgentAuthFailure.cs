namespace Bramble.Aggregator.Authentication;

/// <summary>Why a Connect call was refused; <see cref="Label"/> is the metric's reason label.</summary>
public enum AgentAuthFailure
{
    /// <summary>No "authorization: Bearer …" metadata at all.</summary>
    Missing,

    /// <summary>A bearer token that belongs to no node.</summary>
    UnknownToken,

    /// <summary>Another node's token: the Hello claims a node the token was not issued to.</summary>
    NodeMismatch,
}
