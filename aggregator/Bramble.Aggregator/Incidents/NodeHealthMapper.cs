using Bramble.Engine.Cluster;
using Bramble.Protos.V1;

namespace Bramble.Aggregator.Incidents;

/// <summary>Maps a report's kubelet and vitals sections to the engine's views.</summary>
public static class NodeHealthMapper
{
    public static KubeletView? Kubelet(Report? report, uint restartsInWindow)
    {
        if (report?.Kubelet is not { } k)
        {
            return null;
        }

        return new KubeletView(
            k.Healthz switch
            {
                HealthzResult.Ok => KubeletHealth.Ok,
                HealthzResult.Unhealthy => KubeletHealth.Unhealthy,
                HealthzResult.Refused => KubeletHealth.Refused,
                HealthzResult.Timeout => KubeletHealth.Timeout,
                _ => KubeletHealth.Unknown,
            },
            k.HealthzHttpStatus == 0 ? string.Empty : $"HTTP {k.HealthzHttpStatus}",
            k.Unit,
            k.ActiveState,
            k.Restarts,
            k.RuntimeResult switch
            {
                RuntimeResult.Ok => RuntimeHealth.Ok,
                RuntimeResult.Refused => RuntimeHealth.Refused,
                RuntimeResult.Timeout => RuntimeHealth.Timeout,
                RuntimeResult.Error => RuntimeHealth.Error,
                _ => RuntimeHealth.Unknown,
            },
            k.RuntimeSocket,
            k.ClientCertNotAfter?.ToDateTimeOffset(),
            k.ServingCertNotAfter?.ToDateTimeOffset())
        {
            RestartsInWindow = restartsInWindow,
        };
    }

    public static VitalsView? Vitals(Report? report)
    {
        if (report?.Vitals is not { } v)
        {
            return null;
        }

        return new VitalsView(
            v.HasCpuTemperatureCelsius ? v.CpuTemperatureCelsius : null,
            v.HasThrottledFlags ? v.ThrottledFlags : null,
            v.RootReadOnly,
            v.HasClockSynchronized ? v.ClockSynchronized : null,
            v.ClockEstimatedError?.ToTimeSpan(),
            v.MemoryPressure?.Some?.Avg60,
            v.MemoryAvailableBytes,
            v.MemoryTotalBytes)
        {
            RootSizeBytes = v.HasRootSizeBytes ? v.RootSizeBytes : null,
            RootAvailableBytes = v.HasRootAvailableBytes ? v.RootAvailableBytes : null,
            StateStorage = v.StateStorage is { } s ? new StateStorageView(s.Path, s.FsyncLatency?.ToTimeSpan(), s.Error) : null,
            Addresses = [.. v.Addresses],
            KubernetesAddresses = [.. v.KubernetesAddresses],
            KubernetesAddressesSource = v.KubernetesAddressesSource,
        };
    }
}
