namespace Bramble.Aggregator.Storage;

/// <summary>
/// One schema change with an explicit version and name. Both are recorded when applied, so a migration that was
/// renumbered, reordered or dropped (two branches each appending "the next one") is refused at start instead of
/// being skipped silently, which a version taken from a list position cannot detect.
/// </summary>
public sealed record SchemaMigration(int Version, string Name, string Sql);
