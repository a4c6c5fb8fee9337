namespace Bramble.Agent.Linux.Vitals;

/// <summary>Reads the space of the file system holding a path; tests substitute a fake.</summary>
public interface IDiskSpaceReader
{
    /// <summary>Null when the path's file system cannot be asked.</summary>
    DiskSpace? Read(string path);
}
