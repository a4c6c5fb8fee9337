using System.Diagnostics;

namespace Bramble.Agent.Doctor;

/// <summary>
/// Wi-Fi power save by `iw dev IF get power_save` ("Power save: on"), the nl80211 query; sysfs has no such file.
/// iw is looked up in the usual sbin directories; it runs at most 2 s and is killed after that.
/// </summary>
public sealed class IwPowerSaveReader : IWifiPowerSaveReader
{
    private static readonly string[] Candidates = ["/usr/sbin/iw", "/sbin/iw", "/usr/bin/iw", "/bin/iw"];
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(2);

    public (bool? On, string How) Read(string interfaceName)
    {
        var iw = Candidates.FirstOrDefault(File.Exists);
        if (iw is null)
        {
            return (null, "iw is not installed");
        }

        var start = new ProcessStartInfo(iw) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "dev", interfaceName, "get", "power_save" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start);
        if (process is null)
        {
            return (null, "iw did not start");
        }

        // Process.Dispose leaves redirected streams open until the GC finalizes them: disposed here with the process.
        using var stdout = process.StandardOutput;
        using var stderr = process.StandardError;
        var output = stdout.ReadToEndAsync();
        _ = stderr.ReadToEndAsync();
        if (!process.WaitForExit(Deadline))
        {
            process.Kill(entireProcessTree: true);
            return (null, $"iw did not answer within {Deadline.TotalSeconds:0} s");
        }

        var text = output.Result.Trim();
        return text.EndsWith(": on", StringComparison.Ordinal) ? (true, $"iw: \"{text}\"")
            : text.EndsWith(": off", StringComparison.Ordinal) ? (false, $"iw: \"{text}\"")
            : (null, $"iw exited {process.ExitCode}: \"{text}\"");
    }
}
