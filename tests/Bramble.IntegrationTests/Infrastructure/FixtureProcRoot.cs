namespace Bramble.IntegrationTests.Infrastructure;

/// <summary>
/// A proc root of our own (as node_exporter's --path.procfs): this machine's loadavg, meminfo and uptime, and a
/// boot id the test chooses, so a "reboot" is one file write away.
/// </summary>
public sealed class FixtureProcRoot : IDisposable
{
    public FixtureProcRoot(string bootId)
    {
        Path = Directory.CreateTempSubdirectory("bt-procroot-").FullName;
        foreach (var file in new[] { "loadavg", "meminfo", "uptime" })
        {
            File.WriteAllText(System.IO.Path.Combine(Path, file), File.ReadAllText($"/proc/{file}"));
        }

        Directory.CreateDirectory(System.IO.Path.Combine(Path, "sys/kernel/random"));
        SetBootId(bootId);
    }

    public string Path { get; }

    public void SetBootId(string bootId) =>
        File.WriteAllText(System.IO.Path.Combine(Path, "sys/kernel/random/boot_id"), bootId + "\n");

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
