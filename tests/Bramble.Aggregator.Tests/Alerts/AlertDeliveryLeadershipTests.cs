using Bramble.Aggregator.Alerts;
using Bramble.Aggregator.Hosting;
using Bramble.Aggregator.Leadership;
using Bramble.Aggregator.Metrics;
using Bramble.Aggregator.Storage;
using Bramble.Engine.Incidents;
using Bramble.Engine.Rules;
using Bramble.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Bramble.Aggregator.Tests.Alerts;

/// <summary>The delivery loops send only while this aggregator leads: a follower's outbox rows wait for the leader.</summary>
public sealed class AlertDeliveryLeadershipTests : IDisposable
{
    private static readonly DateTimeOffset T0 = TimeProvider.System.GetUtcNow();
    private readonly TempDirectory _data = new();
    private readonly AlertOutboxWriter _writer = new([new AlertRoute("ops", new HashSet<string>(), Severity.Info, Escalations: true)]);

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Follower_SendsNothing_OnceItLeads_TheWaitingEntryIsDeliveredOnce()
    {
        var options = Options.Create(new AggregatorOptions { DataDirectory = _data.Path });
        using var store = new SqliteIncidentStore(options, _writer);
        using var outbox = new SqliteAlertOutbox(options);
        var incident = new IncidentRecord("a", "KubeletDown", new Subject("pi-1"), Severity.Critical, IncidentState.Firing, T0, T0, null, T0, null,
            "KubeletDown on pi-1", new Dictionary<string, string>());
        store.Save(new IncidentUpdate([incident], [new IncidentTransition("a", "KubeletDown", IncidentState.Pending, IncidentState.Firing, T0)]));
        var receiver = new CountingReceiver();
        var leadership = new SwitchableLeadership();
        using var service = new AlertDeliveryService([receiver], outbox, _writer, store, new AlertMetrics(Registry()), TimeProvider.System,
            Options.Create(new AlertsOptions { PollInterval = TimeSpan.FromMilliseconds(50) }), NullLogger<AlertDeliveryService>.Instance, leadership);

        await service.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            // Forty poll intervals as a follower: nothing may be sent, the entry stays.
            await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
            Assert.Equal(0, receiver.Calls);
            Assert.Equal(1, outbox.Pending("ops"));

            leadership.Lead();
            for (var i = 0; i < 200 && outbox.Pending("ops") > 0; i++)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), TestContext.Current.CancellationToken);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), TestContext.Current.CancellationToken);
            Assert.Equal(1, receiver.Calls);
            Assert.Equal(0, outbox.Pending("ops"));
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }
    }

    private static AggregatorMetrics Registry() => new(new Bramble.Aggregator.Nodes.NodeDirectory(),
        new Bramble.Aggregator.Ingest.LedgerFlusher(new FlakyStore(), TimeProvider.System, NullLogger<Bramble.Aggregator.Ingest.LedgerFlusher>.Instance),
        new Bramble.Aggregator.Incidents.IncidentBoard(), "test");

    private sealed class SwitchableLeadership : ILeadership
    {
        private volatile LeadershipTerm _term = LeadershipTerm.Follower("http://other:9731");

        public string Mode => "lease";

        public LeadershipTerm Current => _term;

        public long Changes => 0;

        public void Lead() => _term = new LeadershipTerm(true, 2, null, CancellationToken.None);
    }

    private sealed class CountingReceiver : IAlertReceiver
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public string Name => "ops";

        public TimeSpan Timeout => TimeSpan.FromSeconds(5);

        public bool NeedsRefresh => false;

        public Task SendAsync(AlertMessage message, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return Task.CompletedTask;
        }

        public Task RefreshAsync(IncidentRecord firing, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
