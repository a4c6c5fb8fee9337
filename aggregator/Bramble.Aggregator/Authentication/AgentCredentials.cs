using System.Security.Cryptography.X509Certificates;

namespace Bramble.Aggregator.Authentication;

/// <summary>What a Connect call brought to prove its node: the authorization metadata and the TLS client certificate.</summary>
public sealed record AgentCredentials(string? Authorization, X509Certificate2? ClientCertificate);
