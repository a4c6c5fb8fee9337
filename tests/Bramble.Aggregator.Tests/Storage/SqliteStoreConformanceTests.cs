using Bramble.Aggregator.Alerts;
using Bramble.Aggregator.Hosting;
using Bramble.Aggregator.Storage;
using Microsoft.Extensions.Options;

namespace Bramble.Aggregator.Tests.Storage;

/// <summary>The conformance suite on the embedded SQLite engine, a real file in a temp directory.</summary>
public sealed class SqliteStoreConformanceTests : StoreConformanceTests, IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    protected override StoreSet Open()
    {
        var options = Options.Create(new AggregatorOptions { DataDirectory = _dir.Path, StoreBusyTimeout = TimeSpan.FromSeconds(5) });
        var ledger = new SqliteNodeLedgerStore(options);
        var incidents = new SqliteIncidentStore(options, Writer);
        var remediation = new SqliteRemediationStore(options, Writer);
        var alerts = new SqliteAlertOutbox(options);
        return new StoreSet(
            ledger, incidents, remediation, () =>
            {
                ledger.Dispose();
                incidents.Dispose();
                remediation.Dispose();
                alerts.Dispose();
            },
            alerts);
    }
}
