namespace Bramble.Cli;

/// <summary>The command line cannot be understood; the message says why (exit 2, with the usage).</summary>
public sealed class CliUsageException(string message) : Exception(message);
