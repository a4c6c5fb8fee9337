using System.Runtime.InteropServices;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Deploy;

/// <summary>
/// The linux-arm64 agent as the release ships it (deploy/release/package.sh's NativeAOT publish) started under qemu-user
/// on an x86_64 machine: `bramble-agent --once` prints its report. Published into the test's own directory
/// (--artifacts-path), so the solution's build is left alone. The self-contained JIT build package.sh falls back to
/// without the cross toolchain is no longer run here (it took 25 s under qemu; CI time goes to the build shipped).
/// </summary>
public sealed class Arm64AgentUnderQemuTests
{
    private const string CrossRoot = "/usr/aarch64-linux-gnu";

    /// <summary>
    /// The NativeAOT linux-arm64 agent package.sh ships when the cross toolchain is there: ILC compiles for arm64 and
    /// clang --target=aarch64-linux-gnu links with Debian's arm64 binutils and C library; the native binary then runs
    /// `--once` under qemu and rejects a bad option with exit 78.
    /// </summary>
    [Fact]
    public async Task Arm64NativeAotAgent_CrossLinkedHere_RunsUnderQemuUser()
    {
        Assert.SkipUnless(RuntimeInformation.OSArchitecture == Architecture.X64, "this test cross-links for arm64 on an x86_64 machine");
        var qemu = new[] { "/usr/bin/qemu-aarch64", "/usr/bin/qemu-aarch64-static" }.FirstOrDefault(File.Exists);
        Assert.SkipWhen(qemu is null, "qemu-user is not installed (./test.sh installs it as root)");
        Assert.SkipUnless(File.Exists("/usr/bin/clang") && File.Exists("/usr/bin/aarch64-linux-gnu-ld") && File.Exists(Path.Combine(CrossRoot, "lib/crt1.o")),
            "the NativeAOT arm64 cross toolchain is not installed (clang, gcc-aarch64-linux-gnu, libc6-dev-arm64-cross; ./test.sh installs them as root)");
        using var work = new TempDirectory();
        var output = Path.Combine(work.Path, "agent");

        using (var publish = ManagedProcess.Start("publish", "dotnet",
            ["publish", Path.Combine(RepoLayout.Root, "agent/Bramble.Agent/Bramble.Agent.csproj"), "-c", "Release", "-r", "linux-arm64",
             "--self-contained", "-p:PublishAot=true", "-p:DebugType=none", "--artifacts-path", Path.Combine(work.Path, "artifacts"), "-o", output, "-nologo"]))
        {
            var exit = await publish.WaitForExitAsync(TimeSpan.FromMinutes(20));
            Assert.True(exit == 0, "dotnet publish -r linux-arm64 -p:PublishAot=true failed:\n" + publish.Output);
        }

        var agent = Path.Combine(output, "bramble-agent");
        Assert.False(File.Exists(Path.Combine(output, "bramble-agent.dll")), "a NativeAOT publish leaves no managed assembly beside the binary");
        var header = new byte[20];
        using (var file = File.OpenRead(agent))
        {
            file.ReadExactly(header);
        }

        Assert.Equal(0xB7, header[18] | (header[19] << 8)); // ELF e_machine EM_AARCH64

        using (var run = ManagedProcess.Start("bramble-agent --once (arm64 NativeAOT)", qemu!, ["-L", CrossRoot, agent, "--once"], work.Path,
            new Dictionary<string, string> { ["QEMU_LD_PREFIX"] = CrossRoot }))
        {
            var code = await run.WaitForExitAsync(TimeSpan.FromMinutes(5));
            Assert.True(code == 0, $"the arm64 NativeAOT agent exited {code} under qemu:\n{run.Output}");
            Assert.Contains("\"probe\": \"vitals\"", run.Output, StringComparison.Ordinal);
            Assert.Contains("\"nodeName\": \"" + Environment.MachineName + "\"", run.Output, StringComparison.Ordinal);
        }

        using var bad = ManagedProcess.Start("bramble-agent bad option (arm64 NativeAOT)", qemu!, ["-L", CrossRoot, agent, "--Agent:ProbeInterval=banana", "--once"], work.Path,
            new Dictionary<string, string> { ["QEMU_LD_PREFIX"] = CrossRoot });
        Assert.Equal(78, await bad.WaitForExitAsync(TimeSpan.FromMinutes(5)));
    }
}
