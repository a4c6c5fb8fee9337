using System.Text.Json;
using System.Text.Json.Nodes;
using Bramble.Protos.V1;
using Google.Protobuf;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Commands;

/// <summary>
/// The recent command ids and their results in one small JSON file, <c>commands.json</c> in Remediation:StateDirectory,
/// replaced atomically (written beside it, flushed to the disk, renamed over it) so a crash or power cut leaves the old
/// or the new one, never half of one. Only when something is allow-listed: an agent that runs nothing writes nothing.
/// A journal that cannot be read or written is logged and the agent goes on remembering in memory only.
/// </summary>
public sealed partial class CommandJournal : ICommandJournal
{
    public const string FileName = "commands.json";
    private const int Version = 1;
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(false));
    private readonly ILogger<CommandJournal> _logger;
    private readonly Lock _gate = new();

    public CommandJournal(IOptions<RemediationOptions> options, ILogger<CommandJournal> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _logger = logger;
        Directory = options.Value.AllowsAnything ? ResolveDirectory(options.Value.StateDirectory, Environment.GetEnvironmentVariable("STATE_DIRECTORY")) : null;
    }

    /// <summary>Where the journal lives; null when nothing is allow-listed (no journal at all).</summary>
    public string? Directory { get; }

    /// <summary>The configured directory; else systemd's StateDirectory= ($STATE_DIRECTORY, its first entry); else the default.</summary>
    public static string ResolveDirectory(string configured, string? systemdStateDirectory)
    {
        ArgumentNullException.ThrowIfNull(configured);
        if (configured.Length > 0)
        {
            return configured;
        }

        var fromSystemd = systemdStateDirectory?.Split(':', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        return string.IsNullOrEmpty(fromSystemd) ? RemediationOptions.DefaultStateDirectory : fromSystemd;
    }

    public IReadOnlyList<RememberedCommand> Load()
    {
        if (Directory is null)
        {
            return [];
        }

        var path = Path.Combine(Directory, FileName);
        try
        {
            if (!File.Exists(path))
            {
                return [];
            }

            var commands = new List<RememberedCommand>();
            var root = JsonNode.Parse(File.ReadAllText(path));
            foreach (var entry in root?["commands"]?.AsArray() ?? [])
            {
                var id = entry?["id"]?.GetValue<string>();
                if (string.IsNullOrEmpty(id))
                {
                    continue;
                }

                var result = entry!["result"] is { } json ? CommandResult.Parser.ParseJson(json.ToJsonString()) : null;
                commands.Add(new RememberedCommand(id, result));
            }

            LogLoaded(_logger, commands.Count, path);
            return commands;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException or InvalidProtocolBufferException or FormatException)
        {
            LogUnreadable(_logger, path, e);
            return [];
        }
    }

    public void Save(IReadOnlyList<RememberedCommand> commands)
    {
        ArgumentNullException.ThrowIfNull(commands);
        if (Directory is null)
        {
            return;
        }

        var entries = new JsonArray();
        foreach (var command in commands)
        {
            // As a JsonNode: the non-generic Add, not Add<T>, which needs reflection (IL2026/IL3050 when trimmed or AOT).
            entries.Add((JsonNode)new JsonObject
            {
                ["id"] = command.Id,
                ["result"] = command.Result is null ? null : JsonNode.Parse(Formatter.Format(command.Result)),
            });
        }

        var text = new JsonObject { ["version"] = Version, ["commands"] = entries }.ToJsonString();
        var path = Path.Combine(Directory, FileName);
        var temporary = path + ".tmp";
        lock (_gate)
        {
            try
            {
                // Only the agent's user reads it: results carry the actions' standard error.
                if (OperatingSystem.IsWindows())
                {
                    System.IO.Directory.CreateDirectory(Directory);
                }
                else
                {
                    System.IO.Directory.CreateDirectory(Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                }
                using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
                {
                    stream.Write(System.Text.Encoding.UTF8.GetBytes(text));
                    stream.Flush(flushToDisk: true);
                }

                File.Move(temporary, path, overwrite: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                LogUnwritable(_logger, path, e);
            }
        }
    }

    [LoggerMessage(EventId = 1540, Level = LogLevel.Information, Message = "Remembering {Count} recent command id(s) from {Path}: a re-delivered one is not run again")]
    private static partial void LogLoaded(ILogger logger, int count, string path);

    [LoggerMessage(EventId = 1541, Level = LogLevel.Warning, Message = "Cannot read the command journal {Path}; recent command ids are forgotten, a re-delivered command may run again")]
    private static partial void LogUnreadable(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 1542, Level = LogLevel.Warning, Message = "Cannot write the command journal {Path}; recent command ids are remembered in memory only until the agent restarts")]
    private static partial void LogUnwritable(ILogger logger, string path, Exception exception);
}
