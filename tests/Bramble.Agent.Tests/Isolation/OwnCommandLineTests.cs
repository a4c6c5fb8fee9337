using Bramble.Agent.Probes.Isolation;

namespace Bramble.Agent.Tests.Isolation;

/// <summary>How the agent starts itself again for a probe child, under each way it can be run.</summary>
public sealed class OwnCommandLineTests
{
    [Fact]
    public void UnderTheDotnetHost_TheEntryAssemblyFileInTheApplicationDirectoryFollows()
    {
        var (executable, leading) = ProbeChildLauncher.OwnCommandLine("/usr/share/dotnet/dotnet", "/usr/lib/bramble/agent/", "bramble-agent");

        Assert.Equal("/usr/share/dotnet/dotnet", executable);
        Assert.Equal(["/usr/lib/bramble/agent/bramble-agent.dll"], leading);
    }

    [Theory]
    [InlineData("/usr/lib/bramble/agent/bramble-agent")] // apphost (self-contained or framework-dependent)
    [InlineData("/opt/aot/bramble-agent")] // NativeAOT: no assembly file at all, only the program
    public void AsItsOwnProgram_TheProgramAloneWithNoAssemblyArgument(string processPath)
    {
        var (executable, leading) = ProbeChildLauncher.OwnCommandLine(processPath, "/somewhere/else/", "bramble-agent");

        Assert.Equal(processPath, executable);
        Assert.Empty(leading);
    }

    [Fact]
    public void UnderTheDotnetHostWithoutAnEntryAssembly_FailsNamingWhy()
    {
        var error = Assert.Throws<InvalidOperationException>(() => ProbeChildLauncher.OwnCommandLine("/usr/bin/dotnet", "/app/", null));

        Assert.Contains("no entry assembly", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InThisProcess_TheCommandLineNamesAFileThatExists()
    {
        var (executable, leading) = ProbeChildLauncher.OwnCommandLine();

        Assert.True(File.Exists(executable), executable);
        Assert.All(leading, path => Assert.True(File.Exists(path), path));
    }
}
