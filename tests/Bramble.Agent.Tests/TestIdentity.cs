using Bramble.Agent.Hosting;
using Bramble.Agent.Linux.FileSystem;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Tests;

internal static class TestIdentity
{
    public const string BootId = "6a1f0c4e-8d2b-4e57-9a3c-2f1b7d9e0a55";

    public static AgentIdentity Create(TimeProvider time, string nodeName = "pi-07")
    {
        var fs = new InMemoryFileSystem()
            .Add("/proc/sys/kernel/random/boot_id", BootId + "\n")
            .Add("/sys/class/net/eth0/address", "dc:a6:32:00:00:07\n")
            .Add("/sys/class/net/eth0/operstate", "up\n");
        return new AgentIdentity(
            Options.Create(new AgentOptions { NodeName = nodeName }), fs, HostPaths.Default, time, NullLogger<AgentIdentity>.Instance);
    }
}
