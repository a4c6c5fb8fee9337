namespace Bramble.Cli.Certs;

/// <summary>A certificate file that is missing, unreadable or would be overwritten; the message says which and what to do.</summary>
public sealed class CertificateFileException(string message) : Exception(message);
