using Bramble.Aggregator.Ingest;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Bramble.Aggregator.Hosting;

/// <summary>The standard gRPC health service reports NOT_SERVING while the store rejects writes.</summary>
public sealed class StoreHealthCheck : IHealthCheck
{
    private readonly LedgerFlusher _flusher;

    public StoreHealthCheck(LedgerFlusher flusher) => _flusher = flusher;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_flusher.Healthy
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("the store rejects writes; acks wait until it recovers"));
}
