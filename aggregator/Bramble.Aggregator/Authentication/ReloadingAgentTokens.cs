namespace Bramble.Aggregator.Authentication;

/// <summary>
/// The agent tokens of Aggregator:AgentTokenDirectory, read again when the directory changes, so adding, rotating or
/// revoking a node's token is a cp or rm, not an aggregator restart. The directory is looked at no more often than
/// <see cref="CheckInterval"/> (on the monotonic clock), and only when a stream authenticates; a change is read whole,
/// and a directory that no longer reads cleanly keeps the previous tokens (an operator mid-edit must not lock every
/// node out) and says why. A stream already open stays open when its node's token is revoked; its next one is refused.
/// </summary>
public sealed partial class ReloadingAgentTokens
{
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(2);

    private readonly string? _directory;
    private readonly string? _prefix;
    private readonly string? _credentialsDirectory;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private AgentTokenSet _current;
    private string _fingerprint;
    private long _checkedAt;

    public ReloadingAgentTokens(AgentTokenSet initial, string? directory, string? prefix, string? credentialsDirectory, TimeProvider time, ILogger logger)
    {
        _current = initial;
        _directory = directory is null ? null : AgentTokenDirectory.Resolve(directory, credentialsDirectory);
        _prefix = prefix;
        _credentialsDirectory = credentialsDirectory;
        _time = time;
        _logger = logger;
        _fingerprint = Fingerprint();
        _checkedAt = time.GetTimestamp();
    }

    /// <summary>The tokens in effect now, after reading the directory again if it changed.</summary>
    public AgentTokenSet Current
    {
        get
        {
            lock (_gate)
            {
                if (_time.GetElapsedTime(_checkedAt) >= CheckInterval)
                {
                    _checkedAt = _time.GetTimestamp();
                    ReloadIfChanged();
                }

                return _current;
            }
        }
    }

    private void ReloadIfChanged()
    {
        var fingerprint = Fingerprint();
        if (fingerprint == _fingerprint)
        {
            return;
        }

        _fingerprint = fingerprint;
        var (tokens, failures) = AgentTokenDirectory.Load(_directory, _prefix, _credentialsDirectory);
        if (tokens is null)
        {
            LogReloadFailed(_logger, _current.Count, string.Join("; ", failures));
            return;
        }

        _current = tokens;
        LogReloaded(_logger, tokens.Count);
    }

    /// <summary>Names, sizes and change times of the directory's files: a cp, mv, rm or rewrite changes it.</summary>
    private string Fingerprint()
    {
        try
        {
            var files = new DirectoryInfo(_directory!).EnumerateFiles()
                .Select(f => $"{f.Name}\u0000{f.Length}\u0000{f.LastWriteTimeUtc.Ticks}")
                .Order(StringComparer.Ordinal);
            return string.Join('\n', files);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return $"unreadable: {e.Message}";
        }
    }

    [LoggerMessage(EventId = 2851, Level = LogLevel.Information, Message = "Agent tokens read again after a change of Aggregator:AgentTokenDirectory: {Count} node(s) known")]
    private static partial void LogReloaded(ILogger logger, int count);

    [LoggerMessage(EventId = 2852, Level = LogLevel.Error,
        Message = "Aggregator:AgentTokenDirectory changed but cannot be used; the previous {Count} token(s) stay in effect: {Failures}")]
    private static partial void LogReloadFailed(ILogger logger, int count, string failures);
}
