using Bramble.Agent.Linux.FileSystem;

namespace Bramble.Agent.Tests;

/// <summary>Files by full path; directories implied by the files under them.</summary>
internal sealed class StubFileSystem : IFileSystem
{
    private readonly Dictionary<string, string> _files = new(StringComparer.Ordinal);

    public StubFileSystem Add(string path, string text)
    {
        _files[path] = text;
        return this;
    }

    public string? TryReadAllText(string path) => _files.GetValueOrDefault(path);

    public IReadOnlyList<string> ListDirectory(string path)
    {
        var prefix = path.TrimEnd('/') + "/";
        return _files.Keys
            .Where(p => p.StartsWith(prefix, StringComparison.Ordinal))
            .Select(p => p[prefix.Length..].Split('/')[0])
            .Distinct(StringComparer.Ordinal)
            .ToArray();
    }
}
