namespace Bramble.Agent.Linux.Tests;

/// <summary>Text in the exact shape the kernel writes it (copied from a real /proc).</summary>
internal static class ProcText
{
    public const string MemInfo = """
        MemTotal:       24684084 kB
        MemFree:        24123180 kB
        MemAvailable:   24302412 kB
        Buffers:            2668 kB
        Cached:           347612 kB
        SwapCached:            0 kB
        Active:           232584 kB
        Inactive:         114852 kB
        SwapTotal:             0 kB
        SwapFree:              0 kB
        Dirty:               488 kB
        NFS_Unstable:          0 kB
        VmallocTotal:   34359738367 kB
        HugePages_Total:       0
        HugePages_Free:        0
        Hugepagesize:       2048 kB
        DirectMap4k:       30720 kB
        DirectMap2M:     2066432 kB

        """;

    public const string LoadAvg = "2.48 1.06 0.44 1/82 5436\n";

    public const string Uptime = "4307.25 8386.56\n";

    public const string BootId = "6a1f0c4e-8d2b-4e57-9a3c-2f1b7d9e0a55\n";
}
