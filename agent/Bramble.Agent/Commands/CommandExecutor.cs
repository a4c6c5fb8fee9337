using Bramble.Protos.V1;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Commands;

/// <summary>
/// Carries out remediation commands that the local allow-list permits, one at a time, each under its deadline. A
/// command id seen recently is not run again: its first result (or the run still in progress) answers it — also after
/// an agent restart, because the recent ids are kept in a journal that is written before a command runs and again when it
/// ends (a command the agent was running when it stopped is answered as failed with its outcome unknown, not run again).
/// Everything else is refused with the reason, never silently dropped.
/// </summary>
public sealed partial class CommandExecutor : IDisposable
{
    private readonly Dictionary<CommandAction, ICommandAction> _actions;
    private readonly RemediationOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<CommandExecutor> _logger;
    private readonly ICommandJournal _journal;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Task<CommandResult>> _remembered = new(StringComparer.Ordinal);
    private readonly Queue<string> _rememberedOrder = new();
    private Task _last = Task.CompletedTask;
    private int _admitted;

    public CommandExecutor(IEnumerable<ICommandAction> actions, IOptions<RemediationOptions> options, TimeProvider time, ILogger<CommandExecutor> logger, ICommandJournal journal)
    {
        ArgumentNullException.ThrowIfNull(actions);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(journal);
        _actions = actions.ToDictionary(a => a.Action);
        _options = options.Value;
        _time = time;
        _logger = logger;
        _journal = journal;
        foreach (var earlier in journal.Load().Where(c => !_remembered.ContainsKey(c.Id)))
        {
            Remember(earlier.Id, Task.FromResult(earlier.Result ?? Interrupted(earlier.Id)));
        }
    }

    /// <summary>Whether any action is allowed: only then the agent offers CAPABILITY_EXECUTE_COMMANDS.</summary>
    public bool CanExecute => _actions.Values.Any(a => a.Allowed);

    /// <summary>
    /// The command's result once it has run (or at once when it is refused). A re-delivered id gets the same task, so
    /// it runs once and is answered with the same result. Never throws for the command's own failures.
    /// </summary>
    public Task<CommandResult> ExecuteAsync(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (string.IsNullOrEmpty(command.Id))
        {
            return Task.FromResult(Refuse(command, "the command has no id"));
        }

        lock (_gate)
        {
            if (_remembered.TryGetValue(command.Id, out var earlier))
            {
                LogDuplicate(_logger, command.Id, command.Action);
                return earlier;
            }

            // One running plus QueueCapacity waiting.
            Task<CommandResult> result;
            if (_admitted > _options.QueueCapacity)
            {
                result = Task.FromResult(Refuse(command, $"{_admitted} command(s) are already running or waiting (Remediation:QueueCapacity {_options.QueueCapacity})"));
            }
            else
            {
                _admitted++;
                result = RunAfterAsync(_last, command);
                _last = result;
            }

            Remember(command.Id, result);
            return result;
        }
    }

    public void Dispose()
    {
        // On shutdown: a running action is cancelled (its process tree killed), waiting ones are answered as failed.
        // Not disposed: a command arriving during shutdown still reads the (cancelled) token.
        _stopping.Cancel();
    }

    /// <summary>One at a time, in arrival order: each command starts when the one before it has ended.</summary>
    private async Task<CommandResult> RunAfterAsync(Task previous, Command command)
    {
        // Always yields: never runs on the caller's thread (the stream's receive loop) nor under its lock.
        await previous.ConfigureAwait(ConfigureAwaitOptions.ForceYielding | ConfigureAwaitOptions.SuppressThrowing);
        try
        {
            if (_stopping.IsCancellationRequested)
            {
                return Finish(command, _time.GetUtcNow(), _time.GetTimestamp(), new ActionOutcome(CommandOutcome.Failed, "the agent stopped before the command ran"));
            }

            // On disk before anything runs: an agent that dies in the middle (or a node that reboots) must not run it again.
            SaveJournal(command.Id, null);
            var result = await RunAsync(command);
            SaveJournal(command.Id, result);
            return result;
        }
        finally
        {
            Leave();
        }
    }

    private async Task<CommandResult> RunAsync(Command command)
    {
        if (!_actions.TryGetValue(command.Action, out var action))
        {
            return Refuse(command, $"action {command.Action} is not one this agent carries out");
        }

        var deadline = command.Deadline?.ToTimeSpan() ?? TimeSpan.Zero;
        if (deadline < TimeSpan.Zero)
        {
            return Refuse(command, $"the deadline {deadline} is negative");
        }

        if (deadline == TimeSpan.Zero)
        {
            deadline = _options.DefaultDeadline;
        }
        else if (deadline > _options.MaxDeadline)
        {
            return Refuse(command, $"the deadline {deadline} is longer than Remediation:MaxDeadline ({_options.MaxDeadline})");
        }

        var plan = action.Plan(command);
        if (plan.Refusal is not null || plan.Run is null)
        {
            return Refuse(command, plan.Refusal ?? "nothing to run");
        }

        var startedAt = _time.GetUtcNow();
        var started = _time.GetTimestamp();
        if (command.DryRun)
        {
            LogDryRun(_logger, command.Id, command.Action, plan.Description, command.IncidentId);
            return Finish(command, startedAt, started, new ActionOutcome(CommandOutcome.DryRun, $"would run: {plan.Description}"));
        }

        LogStarting(_logger, command.Id, command.Action, plan.Description, deadline.TotalSeconds, command.IncidentId);
        using var timeout = new CancellationTokenSource(deadline, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _stopping.Token);
        ActionOutcome outcome;
        try
        {
            outcome = await plan.Run(linked.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            outcome = new ActionOutcome(CommandOutcome.TimedOut, $"{plan.Description} did not finish within {deadline.TotalSeconds:0.###} s and was cancelled");
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            outcome = new ActionOutcome(CommandOutcome.Failed, $"{plan.Description} was cancelled: the agent is stopping");
        }
#pragma warning disable CA1031 // An adapter's unexpected failure is the command's result, not the agent's end.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogActionCrashed(_logger, command.Id, e);
            outcome = new ActionOutcome(CommandOutcome.Failed, $"{plan.Description} failed: {e.Message}");
        }

        if (outcome.Outcome == CommandOutcome.TimedOut && !timeout.IsCancellationRequested && _stopping.IsCancellationRequested)
        {
            // The adapter was cancelled because the agent is stopping, not at the command's deadline.
            outcome = outcome with { Outcome = CommandOutcome.Failed, Detail = $"{plan.Description} was cancelled: the agent is stopping" };
        }

        var result = Finish(command, startedAt, started, outcome);
        LogFinished(_logger, command.Id, command.Action, result.Outcome, result.ExitCode, result.Duration.ToTimeSpan().TotalSeconds, result.Detail);
        return result;
    }

    private CommandResult Refuse(Command command, string reason)
    {
        LogRefused(_logger, command.Id, command.Action, reason);
        var now = _time.GetUtcNow();
        return Finish(command, now, _time.GetTimestamp(), new ActionOutcome(CommandOutcome.Rejected, reason));
    }

    private CommandResult Finish(Command command, DateTimeOffset startedAt, long started, ActionOutcome outcome) => new()
    {
        Id = command.Id,
        Outcome = outcome.Outcome,
        Detail = outcome.Detail,
        StartedAt = Timestamp.FromDateTimeOffset(startedAt),
        Duration = Duration.FromTimeSpan(_time.GetElapsedTime(started)),
        ExitCode = outcome.ExitCode,
        StderrTail = StderrTail.Trim(outcome.StderrTail),
    };

    private static CommandResult Interrupted(string id) => new()
    {
        Id = id,
        Outcome = CommandOutcome.Failed,
        Detail = "the agent stopped while this command ran (or before it ended); not run again: its outcome is unknown",
        ExitCode = ActionOutcome.NoExitCode,
    };

    /// <summary>Writes every remembered id with its result; <paramref name="id"/>'s is <paramref name="result"/> (null: running).</summary>
    private void SaveJournal(string id, CommandResult? result)
    {
        List<RememberedCommand> snapshot;
        lock (_gate)
        {
            // Commands still waiting behind this one have not started: if the agent stops now, running them later is safe.
            snapshot = [.. _rememberedOrder
                .Where(r => r == id || _remembered[r].IsCompletedSuccessfully)
                .Select(r => new RememberedCommand(r, r == id ? result : _remembered[r].Result))];
        }

        _journal.Save(snapshot);
    }

    private void Remember(string id, Task<CommandResult> result)
    {
        _remembered[id] = result;
        _rememberedOrder.Enqueue(id);
        while (_rememberedOrder.Count > _options.RememberedCommands)
        {
            _remembered.Remove(_rememberedOrder.Dequeue());
        }
    }

    private void Leave()
    {
        lock (_gate)
        {
            _admitted--;
        }
    }

    [LoggerMessage(EventId = 1500, Level = LogLevel.Warning, Message = "Command {CommandId} ({Action}, incident {IncidentId}): running {Description} with a deadline of {DeadlineSeconds} s")]
    private static partial void LogStarting(ILogger logger, string commandId, CommandAction action, string description, double deadlineSeconds, string incidentId);

    [LoggerMessage(EventId = 1501, Level = LogLevel.Warning, Message = "Command {CommandId} ({Action}) ended {Outcome} (exit code {ExitCode}) after {DurationSeconds:F3} s: {Detail}")]
    private static partial void LogFinished(ILogger logger, string commandId, CommandAction action, CommandOutcome outcome, int exitCode, double durationSeconds, string detail);

    [LoggerMessage(EventId = 1502, Level = LogLevel.Warning, Message = "Refused command {CommandId} ({Action}): {Reason}")]
    private static partial void LogRefused(ILogger logger, string commandId, CommandAction action, string reason);

    [LoggerMessage(EventId = 1503, Level = LogLevel.Information, Message = "Command {CommandId} ({Action}, incident {IncidentId}) is a dry run: would run {Description}")]
    private static partial void LogDryRun(ILogger logger, string commandId, CommandAction action, string description, string incidentId);

    [LoggerMessage(EventId = 1504, Level = LogLevel.Information, Message = "Command {CommandId} ({Action}) was delivered again: answered with its first result, not run twice")]
    private static partial void LogDuplicate(ILogger logger, string commandId, CommandAction action);

    [LoggerMessage(EventId = 1505, Level = LogLevel.Error, Message = "Command {CommandId}: the action failed unexpectedly")]
    private static partial void LogActionCrashed(ILogger logger, string commandId, Exception exception);
}
