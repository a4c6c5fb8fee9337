using System.Globalization;

namespace Bramble.IntegrationTests.Reliability;

/// <summary>
/// A wall clock offset for one process, through libfaketime (Debian package faketime): LD_PRELOAD with a control file
/// read on every call, and the monotonic clock left alone, so only CLOCK_REALTIME jumps, as an NTP step does. Checked
/// by hand on .NET 10: DateTime/TimeProvider.GetUtcNow follow the file at once; Stopwatch and Task.Delay do not.
/// This machine's clock is never changed.
/// </summary>
public sealed class FakeClock : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("bt-faketime-");

    public FakeClock() => Offset(TimeSpan.Zero);

    public static string? Library =>
        Directory.Exists("/usr/lib")
            ? Directory.EnumerateFiles("/usr/lib", "libfaketimeMT.so.1", SearchOption.AllDirectories).FirstOrDefault()
            : null;

    public static string SkipReason => Library is null ? "libfaketime is not installed (Debian package faketime; ./test.sh installs it)" : string.Empty;

    public string ControlFile => Path.Combine(_directory.FullName, "offset");

    public IDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["LD_PRELOAD"] = Library ?? throw new InvalidOperationException(SkipReason),
        ["FAKETIME_TIMESTAMP_FILE"] = ControlFile,
        ["FAKETIME_NO_CACHE"] = "1",
        ["FAKETIME_DONT_FAKE_MONOTONIC"] = "1",
    };

    /// <summary>Steps the process's wall clock to real time plus <paramref name="offset"/>.</summary>
    public void Offset(TimeSpan offset)
    {
        var temporary = ControlFile + ".new";
        File.WriteAllText(temporary, string.Create(CultureInfo.InvariantCulture, $"{(offset >= TimeSpan.Zero ? "+" : "-")}{Math.Abs((long)offset.TotalSeconds)}\n"));
        File.Move(temporary, ControlFile, overwrite: true);
    }

    public void Dispose() => _directory.Delete(recursive: true);
}
