using Bramble.Agent.Hosting;
using Bramble.Agent.Linux.FileSystem;
using Bramble.Agent.Linux.KernelLog;
using Bramble.Agent.Linux.Vitals;
using Bramble.Agent.Probing;
using Bramble.Protos.V1;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Probes.KernelLog;

/// <summary>
/// Follows the kernel log (Agent:KmsgPath) for the kernel's own verdicts on NFS servers and storage — available even
/// while every probe of a hung mount is stuck. The first run reads the ring buffer from its oldest record (so lines
/// logged before the agent started count), later runs read what came since; no run ever waits for the kernel.
/// Kernel lines only: user space can write into /dev/kmsg but never as the kernel's facility.
/// </summary>
public sealed partial class KernelLogProbe : IProbe, IDisposable
{
    // Enough for a full ring buffer of short records per round; a flood beyond it is read on in the next round.
    private const int MaxReadsPerRun = 20_000;

    // /proc/uptime has centisecond resolution and is read a moment apart from the clock: less than this is no step.
    private static readonly TimeSpan BootTimeTolerance = TimeSpan.FromSeconds(1);

    private readonly IFileSystem _fileSystem;
    private readonly HostPaths _paths;
    private readonly TimeProvider _time;
    private readonly ILogger<KernelLogProbe> _logger;
    private readonly KernelLogFile _file;
    private readonly KernelMessageWindow _window;
    private readonly string _path;
    private DateTimeOffset? _bootTime;
    private long _overwrittenLogged;

    public KernelLogProbe(IOptions<AgentOptions> options, IFileSystem fileSystem, HostPaths paths, TimeProvider time, ILogger<KernelLogProbe> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _path = options.Value.KmsgPath;
        _file = new KernelLogFile(_path);
        _window = new KernelMessageWindow(options.Value.KernelMessageRetention);
        _fileSystem = fileSystem;
        _paths = paths;
        _time = time;
        _logger = logger;
    }

    public string Name => "kmsg";

    // The contract has no capability of its own for the kernel log; its lines are node vitals (storage, power) and NFS.
    public Capability Capability => Capability.ProbeVitals;

    public TimeSpan? Timeout => null;

    public Task<ProbeResult> ProbeAsync(CancellationToken cancellationToken)
    {
        var uptimePath = _paths.Proc("uptime");
        if (Uptime.Parse(_fileSystem.TryReadAllText(uptimePath)) is not { } seconds)
        {
            return Task.FromResult(ProbeResult.Error($"cannot read {uptimePath}, which dates the kernel's records"));
        }

        // Records carry microseconds since boot. Boot time on the wall clock is kept while it holds (so a line's time
        // does not jitter between reports) and taken again when the clock steps, as a Pi's does at its first time sync.
        var uptime = TimeSpan.FromSeconds(seconds);
        var bootTime = _time.GetUtcNow() - uptime;
        if (_bootTime is not { } known || (bootTime - known).Duration() > BootTimeTolerance)
        {
            _bootTime = bootTime;
        }

        var (lines, error) = _file.ReadAvailable(MaxReadsPerRun);
        foreach (var record in KmsgRecordParser.ParseLines(lines))
        {
            if (_window.Add(record, uptime))
            {
                LogKernelLine(_logger, record.Sequence, record.Text);
            }
        }

        if (_file.Overwritten > _overwrittenLogged)
        {
            LogOverwritten(_logger, _file.Overwritten - _overwrittenLogged, _path);
            _overwrittenLogged = _file.Overwritten;
        }

        var messages = _window.Current(uptime, _bootTime.Value);
        if (error is not null)
        {
            // Lines already read stay reported (they are in the window); the file is opened again next round.
            return Task.FromResult(new ProbeResult(ProbeStatus.Error, error, "error", Contribute(messages)));
        }

        var fingerprint = messages.Count == 0 ? "none" : $"{messages.Count}@{messages[^1].Sequence}";
        return Task.FromResult(new ProbeResult(ProbeStatus.Ok, string.Empty, fingerprint, Contribute(messages)));
    }

    public void Dispose() => _file.Dispose();

    private static Action<Report> Contribute(IReadOnlyList<KernelMessage> messages) => report =>
    {
        foreach (var message in messages)
        {
            report.KernelMessages.Add(message.Clone());
        }
    };

    [LoggerMessage(EventId = 810, Level = LogLevel.Information, Message = "Kernel: {Text} (record {Sequence})")]
    private static partial void LogKernelLine(ILogger logger, ulong sequence, string text);

    [LoggerMessage(EventId = 811, Level = LogLevel.Debug, Message = "{Count} kernel log record(s) of {Path} were overwritten before they were read; skipped")]
    private static partial void LogOverwritten(ILogger logger, long count, string path);
}
