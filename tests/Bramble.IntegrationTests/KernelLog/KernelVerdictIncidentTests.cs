using System.Globalization;
using Bramble.IntegrationTests.Infrastructure;
using Bramble.IntegrationTests.Nfs;

namespace Bramble.IntegrationTests.KernelLog;

/// <summary>
/// The kernel's word end to end: an agent follows a kmsg file while its mount (the FUSE lab) hangs and its RPC ping is
/// off; the node's kernel saying "nfs: server 127.0.0.1 not responding" is evidence in the NfsMountHung incident and,
/// from the only client of that server, names the NAS as unreachable. When the mount answers and the kernel says "OK",
/// both resolve.
/// </summary>
public sealed class KernelVerdictIncidentTests
{
    [Fact]
    public async Task KernelSaysNotResponding_WhileTheMountHangs_IsEvidenceAndNamesTheNas_UntilItSaysOk()
    {
        var unavailable = FuseFaultLab.Unavailable();
        Assert.SkipWhen(unavailable is not null, unavailable ?? string.Empty);
        using var lab = await FuseFaultLab.StartAsync();
        var kmsg = Path.Combine(lab.Root, "kmsg");
        File.WriteAllText(kmsg, Record(500, "6,500,{0},-;br0: port 2(p9) entered forwarding state"));
        using var aggregator = new AggregatorProcess(null, "--Rules:EvaluationInterval=00:00:00.1", "--Rules:WarmUp=00:00:00",
            "--Rules:NfsMountHung:ResolveAfter=00:00:01", "--Rules:NasUnreachable:ResolveAfter=00:00:01");
        await aggregator.StartAsync();
        using var agent = AgentProcess.Start("kmsg-node", aggregator.GrpcUrl,
            [.. lab.AgentArguments(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1)), $"--Agent:KmsgPath={kmsg}",
                "--Agent:ReportInterval=00:00:01", "--Agent:ProbeInterval=00:00:01"]);
        try
        {
            await AgentProcess.WaitConnectedAsync(agent);
            await Eventually.WaitAsync(aggregator.NodesAsync, n => n.Any(x => x.Name == "kmsg-node" && x.LastSeq >= 2), TimeSpan.FromSeconds(30), "the agent reporting");

            lab.SetMode("hang");
            // As the kernel logs it once an RPC to the server reaches its major timeout; the agent reads the file on.
            File.AppendAllText(kmsg, Record(501, "5,501,{0},-;nfs: server 127.0.0.1 not responding, still trying"));
            var open = await Eventually.WaitAsync(() => aggregator.IncidentsAsync("?state=firing"),
                list => list.Any(i => i.Kind == "NasUnreachable") && list.Any(i => i.Kind == "NfsMountHung" && i.Subject.Mount == lab.MountPoint),
                TimeSpan.FromSeconds(45), "NasUnreachable from the kernel's verdict, with the hung mount");

            var nas = open.Single(i => i.Kind == "NasUnreachable");
            TestContext.Current.TestOutputHelper?.WriteLine(nas.Summary);
            Assert.Equal("127.0.0.1", nas.Subject.Server);
            Assert.Equal("kmsg-node", nas.Evidence["kernelNotRespondingOn"]);
            Assert.Contains("nfs: server 127.0.0.1 not responding, still trying", nas.Evidence["kernel"], StringComparison.Ordinal);
            // One node's hang alone (MinHungNodes 2) would not have named the NAS: the kernel did.
            Assert.Equal(string.Empty, nas.Evidence["pingFailedFrom"]);
            var hung = open.Single(i => i.Kind == "NfsMountHung" && i.Subject.Mount == lab.MountPoint);
            Assert.EndsWith("nfs: server 127.0.0.1 not responding, still trying", hung.Evidence["kernel"], StringComparison.Ordinal);
            Assert.Equal(nas.Id, hung.Cause);

            lab.SetMode("ok");
            File.AppendAllText(kmsg, Record(502, "5,502,{0},-;nfs: server 127.0.0.1 OK"));
            await Eventually.WaitAsync(() => aggregator.IncidentsAsync("?state=open"),
                list => !list.Any(i => i.Kind is "NasUnreachable" or "NfsMountHung"), TimeSpan.FromSeconds(45), "both resolving");
        }
        finally
        {
            lab.SetMode("ok");
        }

        // The record's stamp: microseconds since boot, now. The agent dates it from the uptime the lab copied at its
        // start, so a few seconds late at most: well inside its ten-minute window.
        string Record(int sequence, string format)
        {
            var uptime = double.Parse(File.ReadAllText("/proc/uptime").Split(' ')[0], CultureInfo.InvariantCulture);
            return string.Format(CultureInfo.InvariantCulture, format, (ulong)(uptime * 1_000_000)) + "\n";
        }
    }
}
