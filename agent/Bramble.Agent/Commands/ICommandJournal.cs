namespace Bramble.Agent.Commands;

/// <summary>Where the executor keeps the ids of recent commands across agent restarts. The seam tests replace.</summary>
public interface ICommandJournal
{
    /// <summary>The remembered commands, oldest first; empty when there is no journal yet or it cannot be read.</summary>
    IReadOnlyList<RememberedCommand> Load();

    /// <summary>Replaces the journal with these (oldest first). Never throws for I/O failures: it logs them.</summary>
    void Save(IReadOnlyList<RememberedCommand> commands);
}
