namespace Bramble.Cli;

/// <summary>What scripts can branch on: 0 all quiet, 1 something is firing, then the kinds of failure.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Firing = 1;
    public const int Usage = 2;
    public const int Unreachable = 3;
    public const int Refused = 4;

    /// <summary>`bramble certs` wrote nothing: a file exists (without --force), or the CA is missing or unreadable.</summary>
    public const int NotWritten = 5;
}
