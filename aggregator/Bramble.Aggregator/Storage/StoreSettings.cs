using Bramble.Aggregator.Hosting;

namespace Bramble.Aggregator.Storage;

/// <summary>Checks and resolves the store settings; each failure names its configuration key.</summary>
public static class StoreSettings
{
    private const string Prefix = AggregatorOptions.Section + ":";

    public static IReadOnlyList<string> Failures(AggregatorOptions options, string? credentialsDirectory)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!Enum.IsDefined(options.Store))
        {
            failures.Add($"{Prefix}{nameof(options.Store)}: must be Sqlite or Postgres (got {options.Store})");
            return failures;
        }

        if (options.Store != StoreEngine.Postgres)
        {
            return failures;
        }

        if (options.LeaseDuration < TimeSpan.FromSeconds(1) || options.LeaseDuration > TimeSpan.FromMinutes(10))
        {
            failures.Add($"{Prefix}{nameof(options.LeaseDuration)}: must be between 00:00:01 and 00:10:00 (got {options.LeaseDuration})");
        }

        if (string.IsNullOrWhiteSpace(options.AdvertiseAddress))
        {
            failures.Add($"{Prefix}{nameof(options.AdvertiseAddress)}: required when Store is Postgres: the gRPC URL agents use to reach this aggregator, e.g. http://agg-1.lan:9731");
        }
        else if (!Uri.TryCreate(options.AdvertiseAddress, UriKind.Absolute, out var advertised) || advertised.Scheme is not ("http" or "https"))
        {
            failures.Add($"{Prefix}{nameof(options.AdvertiseAddress)}: must be an absolute http:// or https:// URL (got '{options.AdvertiseAddress}')");
        }

        const string key = Prefix + nameof(AggregatorOptions.PostgresConnectionStringFile);
        if (string.IsNullOrWhiteSpace(options.PostgresConnectionStringFile))
        {
            failures.Add($"{key}: must name the file holding the PostgreSQL connection string when Store is Postgres");
            return failures;
        }

        var path = ConnectionStringPath(options, credentialsDirectory);
        if (!File.Exists(path))
        {
            failures.Add($"{key}: file '{path}' does not exist");
            return failures;
        }

        try
        {
            _ = new Npgsql.NpgsqlConnectionStringBuilder(ReadConnectionString(path));
        }
        catch (ArgumentException e)
        {
            // The message names the bad keyword, never the value, so no password reaches the log.
            failures.Add($"{key}: '{path}' is not a valid connection string ({e.Message})");
        }

        return failures;
    }

    /// <summary>The connection string file: absolute, or relative to $CREDENTIALS_DIRECTORY (systemd LoadCredential=) when set.</summary>
    public static string ConnectionStringPath(AggregatorOptions options, string? credentialsDirectory)
    {
        ArgumentNullException.ThrowIfNull(options);
        var file = options.PostgresConnectionStringFile ?? string.Empty;
        return Path.IsPathRooted(file) || string.IsNullOrEmpty(credentialsDirectory) ? file : Path.Combine(credentialsDirectory, file);
    }

    public static string ReadConnectionString(string path) => File.ReadAllText(path).Trim();
}
