namespace Bramble.Testing;

/// <summary>A fresh directory under the temp directory (named bt-…), deleted on dispose. Shared by every test project.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "bt-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose() => Directory.Delete(Path, recursive: true);

    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Bramble.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Bramble.sln not found above " + AppContext.BaseDirectory);
    }
}
