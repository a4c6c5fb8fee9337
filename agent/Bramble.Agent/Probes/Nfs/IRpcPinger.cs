namespace Bramble.Agent.Probes.Nfs;

/// <summary>Sends one ONC-RPC NULL call to an NFS server and times the answer.</summary>
public interface IRpcPinger
{
    Task<RpcPingResult> PingAsync(string host, int port, uint version, TimeSpan timeout, CancellationToken cancellationToken);
}
