using Microsoft.Extensions.Logging;

namespace Bramble.Aggregator.Tests.Storage;

/// <summary>Keeps every log entry (event id, level, rendered message, exception) for a test to count.</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    private readonly Lock _gate = new();
    private readonly List<(int Id, LogLevel Level, string Message, Exception? Exception)> _entries = [];
    private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once anything has been logged.</summary>
    public Task FirstEntry => _first.Task;

    public IReadOnlyList<(int Id, LogLevel Level, string Message, Exception? Exception)> Entries
    {
        get
        {
            lock (_gate)
            {
                return [.. _entries];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        lock (_gate)
        {
            _entries.Add((eventId.Id, logLevel, formatter(state, exception), exception));
        }

        _first.TrySetResult();
    }
}
