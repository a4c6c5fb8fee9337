using System.Reflection;
using Bramble.Agent.Linux.FileSystem;
using Bramble.Agent.Linux.Identity;
using Bramble.Protos.V1;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Hosting;

/// <summary>Who this agent is: node name, boot id, a per-process instance id, version and capabilities.</summary>
public sealed partial class AgentIdentity
{
    private readonly IFileSystem _fileSystem;
    private readonly HostPaths _paths;

    public AgentIdentity(IOptions<AgentOptions> options, IFileSystem fileSystem, HostPaths paths, TimeProvider time, ILogger<AgentIdentity> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _fileSystem = fileSystem;
        _paths = paths;
        NodeName = options.Value.EffectiveNodeName;
        ReportInterval = options.Value.ReportInterval;
        StartedAt = time.GetUtcNow();
        var bootId = Linux.Identity.BootId.Read(fileSystem, paths);
        if (bootId is null)
        {
            // Without a boot id every agent restart looks like a reboot to the aggregator; still better than not reporting.
            bootId = Guid.NewGuid().ToString("D");
            LogNoBootId(logger, paths.Proc(Linux.Identity.BootId.RelativePath), bootId);
        }

        BootId = bootId;
    }

    public static string Version { get; } =
        typeof(AgentIdentity).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public string NodeName { get; }

    public string BootId { get; }

    public string InstanceId { get; } = Guid.NewGuid().ToString("D");

    public DateTimeOffset StartedAt { get; }

    public TimeSpan ReportInterval { get; }

    public Hello CreateHello(IEnumerable<Capability> capabilities)
    {
        var hello = new Hello
        {
            NodeName = NodeName,
            BootId = BootId,
            InstanceId = InstanceId,
            AgentVersion = Version,
            ProtocolVersion = 1,
            StartedAt = Timestamp.FromDateTimeOffset(StartedAt),
            ReportInterval = Duration.FromTimeSpan(ReportInterval),
        };
        hello.Capabilities.AddRange(capabilities.Distinct().Order());
        foreach (var nic in NetworkInterfaces.Read(_fileSystem, _paths))
        {
            hello.Interfaces.Add(new Protos.V1.NetworkInterface { Name = nic.Name, Mac = nic.Mac, Up = nic.Up });
        }

        return hello;
    }

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning,
        Message = "Cannot read the boot id from {Path}; using {BootId} for this process, so the aggregator will take an agent restart for a reboot")]
    private static partial void LogNoBootId(ILogger logger, string path, string bootId);
}
