using System.Diagnostics;
using Npgsql;

namespace Bramble.Aggregator.Tests.Storage;

/// <summary>
/// A real PostgreSQL cluster made with Debian's initdb in a temp directory and started with pg_ctl on a loopback port
/// and a private unix socket directory, as the postgres user (initdb refuses root); stopped and removed on dispose.
/// <see cref="SkipReason"/> is non-empty when it cannot run here.
/// </summary>
public sealed class ThrowawayPostgres : IDisposable
{
    private const string BinDirectory = "/usr/lib/postgresql/15/bin";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory? _root;
    private readonly string _data = string.Empty;
    private readonly bool _started;

    public ThrowawayPostgres()
    {
        SkipReason = WhyNot();
        if (SkipReason.Length > 0)
        {
            return;
        }

        _root = new TempDirectory();
        _data = Path.Combine(_root.Path, "data");
        var sockets = Path.Combine(_root.Path, "run");
        Directory.CreateDirectory(sockets);
        Port = FreeLoopbackPort();
        Run("/bin/chown", "-R", "postgres:postgres", _root.Path);
        AsPostgres($"{BinDirectory}/initdb", "-D", _data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8");
        AsPostgres($"{BinDirectory}/pg_ctl", "-D", _data, "-w", "-t", "60", "-l", Path.Combine(_root.Path, "log"), "start",
            "-o", $"-c listen_addresses=127.0.0.1 -p {Port} -k {sockets} -c fsync=off");
        _started = true;
    }

    public string SkipReason { get; }

    public int Port { get; }

    /// <summary>A new, empty database: each test gets its own.</summary>
    public string CreateDatabase()
    {
        var name = "bt_" + Guid.NewGuid().ToString("N");
        using (var connection = new NpgsqlConnection(ConnectionString("postgres")))
        {
            connection.Open();
            using var create = new NpgsqlCommand($"CREATE DATABASE {name};", connection);
            create.ExecuteNonQuery();
        }

        return ConnectionString(name);
    }

    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Port, Username = "postgres", Database = database, Pooling = true }.ToString();

    public void Dispose()
    {
        if (_started)
        {
            NpgsqlConnection.ClearAllPools();
            AsPostgres($"{BinDirectory}/pg_ctl", "-D", _data, "-m", "immediate", "-w", "stop");
        }

        _root?.Dispose();
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string WhyNot()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "PostgreSQL tests need Linux";
        }

        if (!File.Exists($"{BinDirectory}/initdb"))
        {
            return $"PostgreSQL 15 is not installed ({BinDirectory}/initdb missing; apt-get install postgresql)";
        }

        if (Environment.UserName != "root")
        {
            return "PostgreSQL tests need root (to run initdb as the postgres user)";
        }

        return File.Exists("/usr/sbin/runuser") ? string.Empty : "runuser (util-linux) is not installed";
    }

    private static void AsPostgres(params string[] command) => Run("/usr/sbin/runuser", ["-u", "postgres", "--", .. command]);

    private static void Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/" };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(CommandTimeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not finish in {CommandTimeout}");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{file} {string.Join(' ', arguments)} exited {process.ExitCode}: {stdout.Result} {stderr.Result}");
        }
    }
}
