namespace Bramble.IntegrationTests.Infrastructure;

/// <summary>Where the repository and the built programs are (built by the solution in the same configuration).</summary>
public static class RepoLayout
{
    public static string Root { get; } = FindRoot();

    /// <summary>"Debug" or "Release": whatever this test assembly was built as.</summary>
    public static string Configuration { get; } =
        new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    public static string AgentDll => Program("agent/Bramble.Agent", "bramble-agent.dll");

    public static string AggregatorDll => Program("aggregator/Bramble.Aggregator", "bramble-aggregator.dll");

    public static string CliDll => Program("cli/Bramble.Cli", "bramble.dll");

    private static string Program(string project, string dll)
    {
        var path = Path.Combine(Root, project, "bin", Configuration, "net10.0", dll);
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{path} is missing: build the solution ({Configuration}) before the integration tests", path);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Bramble.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Bramble.sln not found above " + AppContext.BaseDirectory);
    }
}
