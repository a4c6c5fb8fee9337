using Bramble.Agent.Commands;

namespace Bramble.Agent.Tests.Commands;

/// <summary>A journal in memory that outlives the executors using it, as the file outlives an agent process.</summary>
internal sealed class InMemoryCommandJournal : ICommandJournal
{
    private readonly Lock _gate = new();
    private IReadOnlyList<RememberedCommand> _saved = [];

    public List<IReadOnlyList<RememberedCommand>> Saves { get; } = [];

    public IReadOnlyList<RememberedCommand> Load()
    {
        lock (_gate)
        {
            return _saved;
        }
    }

    public void Save(IReadOnlyList<RememberedCommand> commands)
    {
        lock (_gate)
        {
            _saved = [.. commands];
            Saves.Add(_saved);
        }
    }
}
