using System.Runtime.CompilerServices;
using Bramble.Protos.V1;
using Google.Protobuf;
using Grpc.Core;

namespace Bramble.Aggregator.Grpc;

/// <summary>
/// The Connect method with a deserializer that never throws. The generated one throws on bytes that are not an
/// AgentMessage, and gRPC then ends the whole stream uncounted; this one hands the session an empty message marked
/// with the parse error, so the session refuses it as malformed, counts it, and reads on.
/// </summary>
public static class TolerantAgentMessages
{
    private static readonly ConditionalWeakTable<AgentMessage, string> ParseErrors = [];

    public static Method<AgentMessage, AggregatorMessage> Connect { get; } = new(
        MethodType.DuplexStreaming,
        AgentGateway.Descriptor.FullName,
        nameof(AgentGateway.AgentGatewayBase.Connect),
        Marshallers.Create<AgentMessage>(Serialize, Deserialize),
        Marshallers.Create<AggregatorMessage>(Serialize, context => AggregatorMessage.Parser.ParseFrom(context.PayloadAsReadOnlySequence())));

    /// <summary>Why the bytes that made this message were not an AgentMessage; false for a message that parsed.</summary>
    public static bool TryGetParseError(AgentMessage message, out string error) => ParseErrors.TryGetValue(message, out error!);

    private static AgentMessage Deserialize(DeserializationContext context)
    {
        try
        {
            return AgentMessage.Parser.ParseFrom(context.PayloadAsReadOnlySequence());
        }
        catch (InvalidProtocolBufferException e)
        {
            var marked = new AgentMessage();
            ParseErrors.Add(marked, $"{context.PayloadLength} bytes are not a valid AgentMessage: {e.Message}");
            return marked;
        }
    }

    private static void Serialize<T>(T message, SerializationContext context)
        where T : IMessage<T>
    {
        context.SetPayloadLength(message.CalculateSize());
        message.WriteTo(context.GetBufferWriter());
        context.Complete();
    }
}
