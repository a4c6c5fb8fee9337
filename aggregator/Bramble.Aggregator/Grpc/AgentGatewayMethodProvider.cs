using Bramble.Protos.V1;
using Grpc.AspNetCore.Server.Model;

namespace Bramble.Aggregator.Grpc;

/// <summary>Binds <see cref="AgentGatewayService.Connect"/> with <see cref="TolerantAgentMessages.Connect"/>'s marshaller.</summary>
public sealed class AgentGatewayMethodProvider : IServiceMethodProvider<AgentGatewayService>
{
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<AgentGatewayService> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.AddDuplexStreamingMethod<AgentMessage, AggregatorMessage>(
            TolerantAgentMessages.Connect,
            [],
            (service, requests, responses, call) => service.Connect(requests, responses, call));
    }
}
