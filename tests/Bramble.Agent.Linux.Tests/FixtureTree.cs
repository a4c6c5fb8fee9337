namespace Bramble.Agent.Linux.Tests;

/// <summary>A real directory tree under the temp directory, deleted on dispose.</summary>
internal sealed class FixtureTree : IDisposable
{
    public FixtureTree()
    {
        Root = Path.Combine(Path.GetTempPath(), "bramble-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public string Write(string relative, string text)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
