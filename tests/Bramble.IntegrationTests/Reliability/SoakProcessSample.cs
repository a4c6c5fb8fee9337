using System.Globalization;

namespace Bramble.IntegrationTests.Reliability;

/// <summary>One reading of a process's resident memory and thread count from /proc/PID/status.</summary>
public readonly record struct SoakProcessSample(long RssBytes, int Threads)
{
    public double RssMiB => RssBytes / (1024.0 * 1024.0);

    public static SoakProcessSample Read(int pid)
    {
        long rss = -1;
        var threads = -1;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                // "VmRSS:     123456 kB"
                rss = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
            else if (line.StartsWith("Threads:", StringComparison.Ordinal))
            {
                threads = int.Parse(line["Threads:".Length..].Trim(), CultureInfo.InvariantCulture);
            }
        }

        return rss < 0 || threads < 0
            ? throw new InvalidOperationException($"/proc/{pid}/status has no VmRSS or Threads line")
            : new SoakProcessSample(rss, threads);
    }
}
