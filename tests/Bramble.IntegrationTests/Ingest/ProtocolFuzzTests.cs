using Bramble.IntegrationTests.Infrastructure;
using Bramble.Protos.V1;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace Bramble.IntegrationTests.Ingest;

/// <summary>
/// Mutated bytes of a real agent report through the real gRPC endpoint: every message is answered, with an ack or a
/// counted refusal, on the same stream — bytes that do not even parse included; the aggregator keeps running and a
/// well-behaved agent beside the fuzzer keeps reporting.
/// </summary>
public sealed class ProtocolFuzzTests
{
    private const int Cases = 300;
    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(b => b, b => b);
    private static readonly Method<byte[], byte[]> Connect =
        new(MethodType.DuplexStreaming, "bramble.v1.AgentGateway", "Connect", Bytes, Bytes);

    [Fact]
    public async Task MutatedReports_AreRefusedAndCounted_AndTheStreamGoesOn()
    {
        var original = await RealReportAsync();
        using var aggregator = new AggregatorProcess(null);
        await aggregator.StartAsync();
        using var good = AgentProcess.Start("good-node", aggregator.GrpcUrl, "--Agent:ReportInterval=00:00:00.5");
        await AgentProcess.WaitConnectedAsync(good);
        using var channel = GrpcChannel.ForAddress(aggregator.GrpcUrl);
        using var stream = await OpenAsync(channel);
        var answers = new Answers();
        var reading = answers.ReadAllAsync(stream.ResponseStream);

        var random = new Random(1126);
        for (var i = 0; i < Cases; i++)
        {
            original.Seq = (ulong)(i + 1);
            await stream.RequestStream.WriteAsync(Mutate(random, new AgentMessage { Report = original }.ToByteArray()), TestContext.Current.CancellationToken);
        }

        // The last word is a valid report: its ack proves the stream outlived everything before it.
        original.Seq = ulong.MaxValue - 1;
        await stream.RequestStream.WriteAsync(new AgentMessage { Report = original }.ToByteArray(), TestContext.Current.CancellationToken);
        await Eventually.WaitAsync(() => Task.FromResult(answers.HighestAck), seq => seq == original.Seq || reading.IsCompleted,
            TimeSpan.FromSeconds(30), "the ack of the valid report after the mutated ones");

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{Cases} mutated reports: {answers.Rejects} refusals ({answers.Malformed} malformed), {answers.Acks} acks; stream ended: {reading.IsCompleted}");
        Assert.False(reading.IsCompleted, "the aggregator ended the fuzzed stream");
        Assert.False(aggregator.Process!.HasExited, "the aggregator died under fuzzing:\n" + aggregator.Process.Output);
        Assert.Equal(original.Seq, answers.HighestAck);
        Assert.True(answers.Malformed > 0, "no mutation failed to parse: the fuzzer is not reaching the parser");
        Assert.Equal(answers.Rejects, SumOf(await aggregator.GetTextAsync("/metrics"), "bramble_messages_rejected_total"));
        Assert.Equal(answers.Malformed, await aggregator.MetricAsync("bramble_messages_rejected_total{reason=\"malformed\"}"));

        var before = (await aggregator.NodeAsync("good-node"))!.LastSeq;
        await Eventually.WaitAsync(() => aggregator.NodeAsync("good-node"), n => n!.LastSeq >= before + 3, TimeSpan.FromSeconds(20), "good-node still reporting");
    }

    private static double SumOf(string exposition, string family) => exposition.Split('\n')
        .Where(l => l.StartsWith(family + "{", StringComparison.Ordinal) || l.StartsWith(family + " ", StringComparison.Ordinal))
        .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>A report from a real agent run once against a fixture proc root, so every field has a realistic shape.</summary>
    private static async Task<Report> RealReportAsync()
    {
        using var procRoot = new FixtureProcRoot("11111111-2222-4333-8444-555555555555");
        File.WriteAllText(Path.Combine(procRoot.Path, "loadavg"), "0.52 0.58 0.59 1/345 6789\n");
        using var agent = ManagedProcess.StartDotnet("agent --once", RepoLayout.AgentDll,
            ["--once", "--Agent:NodeName=fuzz-node", $"--Agent:ProcRoot={procRoot.Path}"]);
        Assert.Equal(0, await agent.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        return JsonParser.Default.Parse<Report>(agent.Output);
    }

    private static async Task<AsyncDuplexStreamingCall<byte[], byte[]>> OpenAsync(GrpcChannel channel)
    {
        var call = channel.CreateCallInvoker().AsyncDuplexStreamingCall(Connect, null, new CallOptions());
        var hello = new Hello
        {
            NodeName = "fuzz-node",
            BootId = Guid.NewGuid().ToString("D"),
            InstanceId = Guid.NewGuid().ToString("D"),
            AgentVersion = "fuzz",
            ProtocolVersion = 1,
        };
        await call.RequestStream.WriteAsync(new AgentMessage { Hello = hello }.ToByteArray());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Assert.True(await call.ResponseStream.MoveNext(timeout.Token), "no welcome");
        Assert.NotNull(AggregatorMessage.Parser.ParseFrom(call.ResponseStream.Current).Welcome);
        return call;
    }

    /// <summary>Flips, truncates, extends or overwrites a few bytes; field tags, lengths and varints all get hit.</summary>
    private static byte[] Mutate(Random random, byte[] message)
    {
        var copy = (byte[])message.Clone();
        switch (random.Next(4))
        {
            case 0:
                return copy[..random.Next(1, copy.Length)];
            case 1:
                for (var i = 0; i < 1 + random.Next(6); i++)
                {
                    copy[random.Next(copy.Length)] = (byte)random.Next(256);
                }

                return copy;
            case 2:
                var longer = new byte[copy.Length + random.Next(1, 32)];
                copy.CopyTo(longer, 0);
                random.NextBytes(longer.AsSpan(copy.Length));
                return longer;
            default:
                var at = random.Next(copy.Length);
                copy[at] = 0xff;
                if (at + 1 < copy.Length)
                {
                    copy[at + 1] = 0xff;
                }

                return copy;
        }
    }

    /// <summary>Everything the aggregator answers on the fuzzed stream, counted as it arrives.</summary>
    private sealed class Answers
    {
        private int _rejects;
        private int _malformed;
        private int _acks;
        private ulong _highestAck;

        public int Rejects => Volatile.Read(ref _rejects);

        public int Malformed => Volatile.Read(ref _malformed);

        public int Acks => Volatile.Read(ref _acks);

        public ulong HighestAck => Interlocked.Read(ref _highestAck);

        public async Task ReadAllAsync(IAsyncStreamReader<byte[]> responses)
        {
            using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            try
            {
                while (await responses.MoveNext(bound.Token))
                {
                    var answer = AggregatorMessage.Parser.ParseFrom(responses.Current);
                    if (answer.Reject is { } reject)
                    {
                        Interlocked.Increment(ref _rejects);
                        if (reject.Reason == RejectReason.Malformed)
                        {
                            Interlocked.Increment(ref _malformed);
                        }
                    }
                    else if (answer.Ack is { } ack)
                    {
                        Interlocked.Increment(ref _acks);
                        Interlocked.Exchange(ref _highestAck, Math.Max(HighestAck, ack.Seq));
                    }
                }
            }
            catch (Exception e) when (e is RpcException or OperationCanceledException)
            {
                // The stream ended: the test sees it through IsCompleted.
            }
        }
    }
}
