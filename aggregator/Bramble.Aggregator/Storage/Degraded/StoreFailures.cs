namespace Bramble.Aggregator.Storage.Degraded;

/// <summary>Which exceptions mean "the store could not write" (disk full, I/O error, locked) rather than a bug.</summary>
public static class StoreFailures
{
    public static bool IsWriteFailure(Exception e) =>
        e is System.Data.Common.DbException or IOException or InvalidOperationException;
}
