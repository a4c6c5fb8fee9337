using Bramble.Protos.V1;
using Google.Protobuf.WellKnownTypes;

namespace Bramble.Agent.Commands;

/// <summary>
/// Carries out allow-listed remediation commands. The allow-list is empty until remediation actions are
/// configured, so every command is refused and the refusal is reported back (never silently ignored).
/// </summary>
public sealed partial class CommandExecutor
{
    private readonly TimeProvider _time;
    private readonly ILogger<CommandExecutor> _logger;

    public CommandExecutor(TimeProvider time, ILogger<CommandExecutor> logger)
    {
        _time = time;
        _logger = logger;
    }

    public Task<CommandResult> ExecuteAsync(Command command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        LogRefused(_logger, command.Id, command.Action);
        return Task.FromResult(new CommandResult
        {
            Id = command.Id,
            Outcome = CommandOutcome.Rejected,
            Detail = $"action {command.Action} is not on this agent's allow-list",
            StartedAt = Timestamp.FromDateTimeOffset(_time.GetUtcNow()),
            Duration = Duration.FromTimeSpan(TimeSpan.Zero),
        });
    }

    [LoggerMessage(EventId = 501, Level = LogLevel.Warning, Message = "Refused command {CommandId}: {Action} is not allow-listed")]
    private static partial void LogRefused(ILogger logger, string commandId, CommandAction action);
}
