namespace Bramble.IntegrationTests.Infrastructure;

/// <summary>A scratch directory removed when the test ends.</summary>
public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("bt-").FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
