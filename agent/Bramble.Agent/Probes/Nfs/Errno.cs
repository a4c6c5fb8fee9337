namespace Bramble.Agent.Probes.Nfs;

/// <summary>The errno values an NFS probe meets, by name; and how .NET's I/O exceptions carry them.</summary>
public static class Errno
{
    public const int NoEntry = 2;
    public const int InputOutput = 5;
    public const int AccessDenied = 13;
    public const int NameTooLong = 36;
    public const int StaleFileHandle = 116;

    private static readonly Dictionary<int, string> Names = new()
    {
        [1] = "EPERM",
        [2] = "ENOENT",
        [4] = "EINTR",
        [5] = "EIO",
        [11] = "EAGAIN",
        [12] = "ENOMEM",
        [13] = "EACCES",
        [16] = "EBUSY",
        [17] = "EEXIST",
        [20] = "ENOTDIR",
        [22] = "EINVAL",
        [28] = "ENOSPC",
        [30] = "EROFS",
        [36] = "ENAMETOOLONG",
        [103] = "ECONNABORTED",
        [104] = "ECONNRESET",
        [107] = "ENOTCONN",
        [110] = "ETIMEDOUT",
        [111] = "ECONNREFUSED",
        [113] = "EHOSTUNREACH",
        [116] = "ESTALE",
        [121] = "EREMOTEIO",
        [122] = "EDQUOT",
    };

    public static string Name(int errno) => Names.TryGetValue(errno, out var name) ? name : $"errno {errno}";

    /// <summary>
    /// On Unix, .NET throws a plain IOException whose HResult is the raw errno for errors it has no type for (EIO,
    /// ESTALE, ENOSPC, …), and typed exceptions for a few others.
    /// </summary>
    public static int FromException(Exception exception) => exception switch
    {
        FileNotFoundException or DirectoryNotFoundException => NoEntry,
        UnauthorizedAccessException => AccessDenied,
        PathTooLongException => NameTooLong,
        IOException { HResult: > 0 and < 4096 } io => io.HResult,
        _ => 0,
    };
}
