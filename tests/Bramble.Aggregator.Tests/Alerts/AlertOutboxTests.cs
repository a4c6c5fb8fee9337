using Bramble.Aggregator.Alerts;
using Bramble.Aggregator.Hosting;
using Bramble.Aggregator.Metrics;
using Bramble.Aggregator.Storage;
using Bramble.Engine.Incidents;
using Bramble.Engine.Remediation;
using Bramble.Engine.Rules;
using Bramble.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Polly;

namespace Bramble.Aggregator.Tests.Alerts;

/// <summary>The outbox on a real SQLite file: what the incident store writes, in which order it is delivered, when it is dead-lettered.</summary>
public sealed class AlertOutboxTests : IDisposable
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-11-26T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
    private readonly TempDirectory _data = new();
    private readonly FakeTimeProvider _time = new(T0);
    private readonly AlertOutboxWriter _writer = new(
    [
        new AlertRoute("alertmanager-0", new HashSet<string>(), Severity.Info, Escalations: false),
        new AlertRoute("phone", new HashSet<string> { "NfsMountHung" }, Severity.Critical, Escalations: true),
    ]);

    public void Dispose() => _data.Dispose();

    private IOptions<AggregatorOptions> Options => Microsoft.Extensions.Options.Options.Create(new AggregatorOptions { DataDirectory = _data.Path });

    private static IncidentRecord Incident(string id, string kind, Severity severity, IncidentState state, DateTimeOffset at) =>
        new(id, kind, new Subject("pi-1"), severity, state, at, state == IncidentState.Pending ? null : at, state == IncidentState.Resolved ? at : null,
            at, null, $"{kind} on pi-1", new Dictionary<string, string>());

    private static IncidentUpdate Transition(IncidentRecord incident, IncidentState? from) =>
        new([incident], [new IncidentTransition(incident.Id, incident.Kind, from, incident.State, incident.LastSeenAt)]);

    [Fact]
    public void Save_FiringAndResolved_OneRowPerAcceptingReceiver_PendingAndNeverFiredNot()
    {
        using var store = new SqliteIncidentStore(Options, _writer);
        using var outbox = new SqliteAlertOutbox(Options);

        store.Save(Transition(Incident("a", "NfsMountHung", Severity.Critical, IncidentState.Pending, T0), null));
        store.Save(Transition(Incident("a", "NfsMountHung", Severity.Critical, IncidentState.Firing, T0.AddSeconds(1)), IncidentState.Pending));
        store.Save(Transition(Incident("b", "NfsSlow", Severity.Warning, IncidentState.Firing, T0.AddSeconds(2)), IncidentState.Pending));
        store.Save(Transition(Incident("c", "NfsMountHung", Severity.Critical, IncidentState.Resolved, T0.AddSeconds(3)), IncidentState.Pending));
        store.Save(Transition(Incident("a", "NfsMountHung", Severity.Critical, IncidentState.Resolved, T0.AddSeconds(4)), IncidentState.Firing));

        Assert.Equal(3, outbox.Pending("alertmanager-0"));
        Assert.Equal(2, outbox.Pending("phone"));
        var head = outbox.Head("phone")!;
        Assert.Equal("a:firing:" + T0.AddSeconds(1).ToUnixTimeMilliseconds(), head.EventId);
        Assert.Equal(IncidentState.Firing, head.Incident.State);
        Assert.Equal("NfsMountHung on pi-1", head.Incident.Summary);
    }

    [Fact]
    public void SaveAudit_Escalation_GoesToReceiversTakingEscalations_WithTheIncidentAsStored()
    {
        using var incidents = new SqliteIncidentStore(Options, _writer);
        using var remediation = new SqliteRemediationStore(Options, _writer);
        using var outbox = new SqliteAlertOutbox(Options);
        incidents.Save(Transition(Incident("a", "NfsMountHung", Severity.Critical, IncidentState.Pending, T0), null));
        var escalation = new AuditEntry(T0.AddMinutes(1), AuditEvents.Escalated, "plan-1", "a", "NfsMountHung", "pi-1", "remount", "failed", "ladder exhausted",
            new Dictionary<string, string> { ["tried"] = "remount" });

        remediation.Save(new RemediationState(), [escalation], T0.AddMinutes(1));

        Assert.Equal(0, outbox.Pending("alertmanager-0"));
        var head = outbox.Head("phone")!;
        Assert.Equal(AlertEvents.Escalated, head.Event);
        Assert.Equal("ladder exhausted", head.Remediation!.Detail);
        Assert.Equal("NfsMountHung on pi-1", head.Incident.Summary);
        Assert.Equal("remount", head.Incident.Evidence["tried"]);
    }

    [Fact]
    public void SaveAudit_RemediationEvents_SucceededFailedSuppressedToWebhooksInOrder_NotToAlertmanager_DryRunAndStepsNot()
    {
        using var incidents = new SqliteIncidentStore(Options, _writer);
        using var remediation = new SqliteRemediationStore(Options, _writer);
        using var outbox = new SqliteAlertOutbox(Options);
        incidents.Save(Transition(Incident("a", "NfsMountHung", Severity.Critical, IncidentState.Pending, T0), null));
        var evidence = new Dictionary<string, string> { ["state"] = "hung" };
        AuditEntry Entry(int second, string auditEvent, string? outcome, string detail) =>
            new(T0.AddSeconds(second), auditEvent, "plan-1", "a", "NfsMountHung", "pi-1", "remount_nfs", outcome, detail, evidence);

        remediation.Save(new RemediationState(),
        [
            Entry(1, AuditEvents.Planned, null, "remount"),
            Entry(2, AuditEvents.Dispatched, null, "sent"),
            Entry(3, AuditEvents.Result, RemediationOutcomes.DryRun, "would run"),
            Entry(4, AuditEvents.Result, RemediationOutcomes.Succeeded, "remounted"),
            Entry(5, AuditEvents.Verified, RemediationOutcomes.Succeeded, "resolved in time"),
            Entry(6, AuditEvents.Reappeared, RemediationOutcomes.Reappeared, "came back"),
            Entry(7, AuditEvents.Suppressed, SuppressionReasons.Cooldown, "cooldown"),
            Entry(8, AuditEvents.Result, RemediationOutcomes.Rejected, "not on the allow-list"),
            Entry(9, AuditEvents.Verified, RemediationOutcomes.Failed, "still open"),
        ], T0.AddSeconds(9));

        Assert.Equal(0, outbox.Pending("alertmanager-0"));
        var received = new List<(string Event, string? Outcome, string Detail)>();
        while (outbox.Head("phone") is { } head)
        {
            received.Add((head.Event, head.Remediation?.Outcome, head.Remediation!.Detail));
            Assert.Equal("hung", head.Incident.Evidence["state"]);
            outbox.Delivered(head.Seq);
        }

        Assert.Equal(
        [
            (AlertEvents.RemediationSucceeded, "succeeded", "resolved in time"),
            (AlertEvents.RemediationFailed, "reappeared", "came back"),
            (AlertEvents.RemediationSuppressed, "cooldown", "cooldown"),
            (AlertEvents.RemediationFailed, "rejected", "not on the allow-list"),
            (AlertEvents.RemediationFailed, "failed", "still open"),
        ], received);
    }

    [Fact]
    public async Task DeliverNext_InOrder_FailureKeepsTheEntry_SuccessRemovesIt()
    {
        using var store = new SqliteIncidentStore(Options, _writer);
        using var outbox = new SqliteAlertOutbox(Options);
        store.Save(Transition(Incident("a", "NfsMountHung", Severity.Critical, IncidentState.Firing, T0), IncidentState.Pending));
        store.Save(Transition(Incident("a", "NfsMountHung", Severity.Critical, IncidentState.Resolved, T0.AddSeconds(1)), IncidentState.Firing));
        var receiver = new RecordingReceiver("phone") { Failing = true };
        var service = Service(outbox, store, receiver, new AlertsOptions());

        await Assert.ThrowsAsync<AlertDeliveryException>(() => service.DeliverNextAsync(receiver, ResiliencePipeline.Empty, TestContext.Current.CancellationToken));
        Assert.Equal(2, outbox.Pending("phone"));
        Assert.Equal(1, outbox.Head("phone")!.Attempts);

        receiver.Failing = false;
        Assert.True(await service.DeliverNextAsync(receiver, ResiliencePipeline.Empty, TestContext.Current.CancellationToken));
        Assert.True(await service.DeliverNextAsync(receiver, ResiliencePipeline.Empty, TestContext.Current.CancellationToken));
        Assert.False(await service.DeliverNextAsync(receiver, ResiliencePipeline.Empty, TestContext.Current.CancellationToken));
        Assert.Equal(["firing", "resolved"], receiver.Delivered.Select(m => m.Event));
        Assert.Equal(0, outbox.Pending("phone"));
    }

    [Fact]
    public async Task DeliverNext_OlderThanMaxAge_DeadLetteredAndListed_NextEntryGoesOn()
    {
        using var store = new SqliteIncidentStore(Options, _writer);
        using var outbox = new SqliteAlertOutbox(Options);
        store.Save(Transition(Incident("a", "NfsMountHung", Severity.Critical, IncidentState.Firing, T0), IncidentState.Pending));
        var receiver = new RecordingReceiver("phone") { Failing = true };
        var service = Service(outbox, store, receiver, new AlertsOptions { MaxAge = TimeSpan.FromHours(1) });
        await Assert.ThrowsAsync<AlertDeliveryException>(() => service.DeliverNextAsync(receiver, ResiliencePipeline.Empty, TestContext.Current.CancellationToken));
        _time.Advance(TimeSpan.FromMinutes(61));
        store.Save(Transition(Incident("a", "NfsMountHung", Severity.Critical, IncidentState.Resolved, _time.GetUtcNow()), IncidentState.Firing));

        Assert.True(await service.DeliverNextAsync(receiver, ResiliencePipeline.Empty, TestContext.Current.CancellationToken));

        var dead = Assert.Single(outbox.DeadLetters(10));
        Assert.Equal("firing", dead.Event);
        Assert.Equal(1, dead.Attempts);
        Assert.Equal("receiver down", dead.LastError);
        Assert.Equal(1, outbox.DeadLetterCount());
        receiver.Failing = false;
        Assert.True(await service.DeliverNextAsync(receiver, ResiliencePipeline.Empty, TestContext.Current.CancellationToken));
        Assert.Equal(["resolved"], receiver.Delivered.Select(m => m.Event));
    }

    [Fact]
    public async Task DeliverNext_PermanentRefusal_DeadLetteredAtOnceWithStatusAndReason_NotRetried_NextEntryGoesOn()
    {
        using var store = new SqliteIncidentStore(Options, _writer);
        using var outbox = new SqliteAlertOutbox(Options);
        store.Save(Transition(Incident("a", "NfsMountHung", Severity.Critical, IncidentState.Firing, T0), IncidentState.Pending));
        store.Save(Transition(Incident("a", "NfsMountHung", Severity.Critical, IncidentState.Resolved, T0.AddSeconds(1)), IncidentState.Firing));
        var receiver = new RecordingReceiver("phone") { Refusal = System.Net.HttpStatusCode.BadRequest };
        var service = Service(outbox, store, receiver, new AlertsOptions());

        Assert.True(await service.DeliverNextAsync(receiver, service.PipelineFor(receiver), TestContext.Current.CancellationToken));

        Assert.Equal(1, receiver.Calls);
        var dead = Assert.Single(outbox.DeadLetters(10));
        Assert.Equal(("firing", 1), (dead.Event, dead.Attempts));
        Assert.Equal("refused permanently: webhook answered 400: unknown schemaVersion", dead.LastError);
        receiver.Refusal = null;
        Assert.True(await service.DeliverNextAsync(receiver, service.PipelineFor(receiver), TestContext.Current.CancellationToken));
        Assert.Equal(["resolved"], receiver.Delivered.Select(m => m.Event));
    }

    [Theory]
    [InlineData(400, true)]
    [InlineData(401, true)]
    [InlineData(404, true)]
    [InlineData(413, true)]
    [InlineData(408, false)]
    [InlineData(429, false)]
    [InlineData(500, false)]
    [InlineData(503, false)]
    public void IsPermanent_ByStatus(int status, bool permanent)
    {
        Assert.Equal(permanent, ReceiverRefusal.IsPermanent(new HttpRequestException("x", null, (System.Net.HttpStatusCode)status)));
        Assert.False(ReceiverRefusal.IsPermanent(new HttpRequestException("connection refused")));
    }

    [Fact]
    public async Task Start_RowsOfARemovedReceiver_DeadLetteredWithReceiverRemoved_OthersKept()
    {
        var before = new AlertOutboxWriter([.. _writer.Routes, new AlertRoute("old-hook", new HashSet<string>(), Severity.Info, Escalations: true)]);
        using (var old = new SqliteIncidentStore(Options, before))
        {
            old.Save(Transition(Incident("a", "NfsMountHung", Severity.Critical, IncidentState.Firing, T0), IncidentState.Pending));
            old.Save(Transition(Incident("b", "NfsSlow", Severity.Warning, IncidentState.Firing, T0.AddSeconds(1)), IncidentState.Pending));
        }

        using var store = new SqliteIncidentStore(Options, _writer);
        using var outbox = new SqliteAlertOutbox(Options);
        outbox.Failed(outbox.Head("old-hook")!.Seq, "connection refused");
        var receiver = new RecordingReceiver("phone");

        Assert.Equal(2, Service(outbox, store, receiver, new AlertsOptions()).DeadLetterRemovedReceivers());

        Assert.Equal(0, outbox.Pending("old-hook"));
        Assert.Equal((1, 2), (outbox.Pending("phone"), outbox.Pending("alertmanager-0")));
        var dead = outbox.DeadLetters(10);
        Assert.All(dead, d => Assert.Equal("old-hook", d.Receiver));
        Assert.Equal(["receiver removed", "receiver removed (last error: connection refused)"], dead.Select(d => d.LastError).Order(StringComparer.Ordinal));
        Assert.Equal(0, Service(outbox, store, receiver, new AlertsOptions()).DeadLetterRemovedReceivers());
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Pipeline_ReceiverKeepsRefusing_CircuitOpens_CallsStop_VisibleInTheMetric()
    {
        using var store = new SqliteIncidentStore(Options, _writer);
        using var outbox = new SqliteAlertOutbox(Options);
        // On the real clock like the service, so the entry is younger than MaxAge (a fixed date here aged past it a day later).
        store.Save(Transition(Incident("a", "NfsMountHung", Severity.Critical, IncidentState.Firing, TimeProvider.System.GetUtcNow()), IncidentState.Pending));
        var receiver = new RecordingReceiver("phone") { Failing = true };
        var registry = Registry(TimeProvider.System);
        // Real time with millisecond retry delays: the breaker's sampling window runs on the same clock as the retries.
        var service = new AlertDeliveryService([receiver], outbox, _writer, store, new AlertMetrics(registry), TimeProvider.System,
            Microsoft.Extensions.Options.Options.Create(new AlertsOptions
            {
                RetryDelay = TimeSpan.FromMilliseconds(1),
                RetryMaxDelay = TimeSpan.FromMilliseconds(2),
                MaxRetries = 7,
                BreakDuration = TimeSpan.FromMinutes(5),
            }),
            NullLogger<AlertDeliveryService>.Instance);

        await Assert.ThrowsAsync<AlertDeliveryException>(() => service.DeliverNextAsync(receiver, service.PipelineFor(receiver), TestContext.Current.CancellationToken));

        // Four failures (the breaker's minimum throughput, all failed) open it; the last four attempts never reach the receiver.
        Assert.Equal(4, receiver.Calls);
        Assert.Equal("circuit open", outbox.Head("phone")!.LastError);
        Assert.Contains("bramble_alert_circuit_open{receiver=\"phone\"} 1", await ScrapeAsync(registry), StringComparison.Ordinal);
    }

    private AlertDeliveryService Service(SqliteAlertOutbox outbox, IIncidentStore store, IAlertReceiver receiver, AlertsOptions options) => new(
        [receiver], outbox, _writer, store, new AlertMetrics(Registry(_time)),
        _time, Microsoft.Extensions.Options.Options.Create(options), NullLogger<AlertDeliveryService>.Instance);

    private static AggregatorMetrics Registry(TimeProvider time) => new(new Bramble.Aggregator.Nodes.NodeDirectory(),
        new Bramble.Aggregator.Ingest.LedgerFlusher(new FlakyStore(), time, NullLogger<Bramble.Aggregator.Ingest.LedgerFlusher>.Instance),
        new Bramble.Aggregator.Incidents.IncidentBoard(), "test");

    private static async Task<string> ScrapeAsync(AggregatorMetrics metrics)
    {
        using var stream = new MemoryStream();
        await metrics.Registry.CollectAndExportAsTextAsync(stream, TestContext.Current.CancellationToken);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private sealed class RecordingReceiver(string name) : IAlertReceiver
    {
        public bool Failing { get; set; }

        /// <summary>Set: the receiver is up and answers this status with a reason.</summary>
        public System.Net.HttpStatusCode? Refusal { get; set; }

        public int Calls { get; private set; }

        public List<AlertMessage> Delivered { get; } = [];

        public string Name => name;

        public TimeSpan Timeout => TimeSpan.FromSeconds(5);

        public bool NeedsRefresh => false;

        public Task SendAsync(AlertMessage message, CancellationToken cancellationToken)
        {
            Calls++;
            if (Failing)
            {
                throw new HttpRequestException("receiver down");
            }

            if (Refusal is { } status)
            {
                throw new HttpRequestException($"webhook answered {(int)status}: unknown schemaVersion", null, status);
            }

            Delivered.Add(message);
            return Task.CompletedTask;
        }

        public Task RefreshAsync(IncidentRecord firing, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
