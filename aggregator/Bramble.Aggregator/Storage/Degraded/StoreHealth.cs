using System.Globalization;
using Bramble.Aggregator.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Bramble.Aggregator.Storage.Degraded;

/// <summary>
/// Whether each store can write, for everyone who must say so: one error log when a store starts failing (naming the
/// file and the errno), one when it writes again, and the state for /metrics, /api/v1/store and the status page.
/// A disk that stays full for an hour logs twice, not once per report or retry.
/// </summary>
public sealed partial class StoreHealth
{
    public const string Ledger = "ledger";
    public const string Incidents = "incidents";
    public const string Remediation = "remediation";
    public const string Alerts = "alerts";

    // SQLite returns SQLITE_FULL when a write hit ENOSPC (os_unix.c) or the file reached its page limit (never set
    // here): the disk is full.
    private const int SqliteFull = 13;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _stores = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly ILogger<StoreHealth> _logger;
    private readonly bool _localFile = true;

    public StoreHealth(IOptions<AggregatorOptions> options, TimeProvider time, ILogger<StoreHealth> logger, NpgsqlDataSource? postgres = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Value.Store == StoreEngine.Postgres && postgres is not null)
        {
            // The server, never the connection string: it may hold the password.
            var server = new NpgsqlConnectionStringBuilder(postgres.ConnectionString);
            Path = string.Create(CultureInfo.InvariantCulture, $"PostgreSQL {server.Host}:{server.Port}/{server.Database}");
            _localFile = false;
        }
        else
        {
            Path = System.IO.Path.GetFullPath(System.IO.Path.Combine(options.Value.DataDirectory, SqliteDatabase.FileName));
        }

        _time = time;
        _logger = logger;
        foreach (var store in new[] { Ledger, Incidents, Remediation, Alerts })
        {
            _stores[store] = new Entry();
        }
    }

    /// <summary>What every store writes: the SQLite database file, or "PostgreSQL host:port/database".</summary>
    public string Path { get; }

    /// <summary>True while any store cannot write.</summary>
    public bool Degraded
    {
        get
        {
            lock (_gate)
            {
                return _stores.Values.Any(e => e.Since is not null);
            }
        }
    }

    public IReadOnlyList<StoreWriteState> Snapshot()
    {
        lock (_gate)
        {
            return _stores.Select(s => new StoreWriteState(s.Key, s.Value.Since is not null, s.Value.Since, Path, s.Value.Error,
                s.Value.Failures, s.Value.HeldInMemory, s.Value.Dropped)).OrderBy(s => s.Store, StringComparer.Ordinal).ToArray();
        }
    }

    /// <summary>A write of <paramref name="store"/> failed; logs only when the store was healthy until now.</summary>
    public void Failed(string store, Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var reason = Describe(error);
        bool first;
        lock (_gate)
        {
            var entry = _stores[store];
            entry.Failures++;
            entry.Error = reason;
            first = entry.Since is null;
            entry.Since ??= _time.GetUtcNow();
        }

        if (first && _localFile)
        {
            LogDegraded(_logger, store, Path, reason, FreeBytes(), Consequence(store), error);
        }
        else if (first)
        {
            // This machine's free disk says nothing about the server's.
            LogServerDegraded(_logger, store, Path, reason, Consequence(store), error);
        }
    }

    /// <summary>A write of <paramref name="store"/> succeeded; logs the recovery and returns true when it had been failing.</summary>
    public bool Succeeded(string store)
    {
        DateTimeOffset? since;
        long failures;
        lock (_gate)
        {
            var entry = _stores[store];
            since = entry.Since;
            failures = entry.Failures;
            entry.Since = null;
            entry.Error = null;
        }

        if (since is { } began)
        {
            LogRecovered(_logger, store, Path, (_time.GetUtcNow() - began).TotalSeconds, failures);
            return true;
        }

        return false;
    }

    /// <summary>How many changes of <paramref name="store"/> wait in memory now, and how many were given up in all.</summary>
    public void Held(string store, long heldInMemory, long dropped)
    {
        lock (_gate)
        {
            var entry = _stores[store];
            entry.HeldInMemory = heldInMemory;
            entry.Dropped = dropped;
        }
    }

    /// <summary>A short reason with the errno when one is known.</summary>
    public static string Describe(Exception error) => error switch
    {
        SqliteException { SqliteErrorCode: SqliteFull } e =>
            string.Create(CultureInfo.InvariantCulture, $"disk full: SQLite error {e.SqliteErrorCode} (SQLITE_FULL, errno ENOSPC: no space left on device)"),
        SqliteException e => string.Create(CultureInfo.InvariantCulture, $"SQLite error {e.SqliteErrorCode}/{e.SqliteExtendedErrorCode}: {e.Message}"),
        // On Unix an IOException's HResult is the raw errno.
        IOException e => string.Create(CultureInfo.InvariantCulture, $"errno {e.HResult}: {e.Message}"),
        _ => $"{error.GetType().Name}: {error.Message}",
    };

    /// <summary>What the aggregator does instead of writing, per store: said in the one error line.</summary>
    public static string Consequence(string store) => store switch
    {
        Ledger => "Ingest goes on in memory; acks to agents are withheld (their outboxes keep the reports) until writes succeed again",
        Incidents => "Incident changes (and the alerts they raise) are held in memory and written when writes succeed again",
        Remediation => "Remediation refuses to act: no command is sent while its decision cannot be recorded (a decision made now is not carried out)",
        Alerts => "Alerts are still delivered; which ones were delivered is held in memory (so none is sent twice) and written when writes succeed again",
        _ => "The store's writes are retried",
    };

    private string FreeBytes()
    {
        try
        {
            var directory = System.IO.Path.GetDirectoryName(Path) ?? "/";
            return new DriveInfo(directory).AvailableFreeSpace.ToString(CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return "unknown";
        }
    }

    [LoggerMessage(EventId = 2300, Level = LogLevel.Error,
        Message = "Store {Store} cannot write to {Path}: {Reason} ({FreeBytes} bytes free there). {Consequence}. Logged once per outage")]
    private static partial void LogDegraded(ILogger logger, string store, string path, string reason, string freeBytes, string consequence, Exception exception);

    [LoggerMessage(EventId = 3310, Level = LogLevel.Error,
        Message = "Store {Store} cannot write to {Path}: {Reason}. {Consequence}. Logged once per outage")]
    private static partial void LogServerDegraded(ILogger logger, string store, string path, string reason, string consequence, Exception exception);

    [LoggerMessage(EventId = 2301, Level = LogLevel.Warning,
        Message = "Store {Store} writes to {Path} again after {Seconds:F1} s ({Failures} failed write(s) since start)")]
    private static partial void LogRecovered(ILogger logger, string store, string path, double seconds, long failures);

    private sealed class Entry
    {
        public DateTimeOffset? Since { get; set; }

        public string? Error { get; set; }

        public long Failures { get; set; }

        public long HeldInMemory { get; set; }

        public long Dropped { get; set; }
    }
}
