namespace Bramble.Agent.Linux.FileSystem;

/// <summary>
/// The only way Bramble's readers touch /proc and /sys, so tests can hand them a fixture tree.
/// Never used on an NFS path: those are probed in child processes (see DESIGN.md, hang isolation).
/// </summary>
public interface IFileSystem
{
    /// <summary>The whole file as text, or null when it does not exist or cannot be read.</summary>
    string? TryReadAllText(string path);

    /// <summary>Names (not paths) of the entries directly under a directory; empty when it is missing.</summary>
    IReadOnlyList<string> ListDirectory(string path);

    /// <summary>
    /// Where a symbolic link points (readlink(2), never followed), or null when it is none or cannot be read. On
    /// /proc/&lt;pid&gt;/cwd and fd/* the kernel renders the path from its dentry cache: no call into the file system.
    /// </summary>
    string? TryReadLink(string path) => null;
}
