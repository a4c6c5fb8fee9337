using Bramble.Agent.Linux.Addresses;
using Bramble.Agent.Linux.FileSystem;
using Bramble.Agent.Probes.Kubelet;
using Bramble.Agent.Probes.Storage;
using Bramble.Agent.Probing;
using Bramble.Protos.V1;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Probes.Vitals;

/// <summary>
/// This node's global addresses (procfs) and the ones Kubernetes knows for it: the kubelet serving certificate's IP
/// SANs, else k3s's configured node-ip. A DHCP lease that moved the node leaves the second list pointing nowhere.
/// </summary>
public sealed class NodeAddressProbe : IProbe
{
    /// <summary>
    /// kubeadm with serverTLSBootstrap: the CA-signed serving certificate names the node's IPs, where the self-signed
    /// kubelet.crt usually names only the host.
    /// </summary>
    public const string KubeadmBootstrappedServingCertificate = "/var/lib/kubelet/pki/kubelet-server-current.pem";

    private readonly IFileSystem _fileSystem;
    private readonly HostPaths _paths;
    private readonly VitalsOptions _vitals;
    private readonly KubeletOptions _kubelet;
    private readonly ContentMemo<IReadOnlyList<string>?> _servingAddresses = new();

    public NodeAddressProbe(IFileSystem fileSystem, HostPaths paths, IOptions<VitalsOptions> vitals, IOptions<KubeletOptions> kubelet)
    {
        ArgumentNullException.ThrowIfNull(vitals);
        ArgumentNullException.ThrowIfNull(kubelet);
        _fileSystem = fileSystem;
        _paths = paths;
        _vitals = vitals.Value;
        _kubelet = kubelet.Value;
    }

    public string Name => "addresses";

    public Capability Capability => Capability.ProbeVitals;

    public TimeSpan? Timeout => null;

    public Task<ProbeResult> ProbeAsync(CancellationToken cancellationToken)
    {
        var addresses = NodeAddresses.Read(_fileSystem, _paths);
        var (known, source) = KubernetesAddresses();
        return Task.FromResult(ProbeResult.Ok(
            report =>
            {
                var vitals = report.Vitals ??= new NodeVitals();
                vitals.Addresses.Add(addresses);
                vitals.KubernetesAddresses.Add(known);
                vitals.KubernetesAddressesSource = source;
            },
            $"addresses={string.Join(',', addresses)};kubernetes={string.Join(',', known)}"));
    }

    private (IReadOnlyList<string> Addresses, string Source) KubernetesAddresses()
    {
        IEnumerable<string> certificates = _kubelet.ServingCertificatePath.Length > 0
            ? [_kubelet.ServingCertificatePath]
            : [KubeadmBootstrappedServingCertificate, .. KubeletOptions.DefaultServingCertificatePaths];
        foreach (var path in certificates)
        {
            if (_fileSystem.TryReadAllText(path) is { } pem && _servingAddresses.Get(path, pem, ServingCertificateAddresses.Parse) is { Count: > 0 } sans)
            {
                return (sans, $"kubelet serving certificate {path}");
            }
        }

        if (_vitals.K3sConfigPath.Length > 0)
        {
            var config = StateDirectoryLocator.UnderRoot(_vitals.HostRoot, _vitals.K3sConfigPath);
            if (K3sNodeIp.Parse(_fileSystem.TryReadAllText(config)) is { Count: > 0 } nodeIps)
            {
                return (nodeIps, $"k3s node-ip in {config}");
            }
        }

        return ([], string.Empty);
    }
}
