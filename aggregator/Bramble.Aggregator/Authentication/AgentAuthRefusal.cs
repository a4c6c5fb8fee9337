using Grpc.Core;

namespace Bramble.Aggregator.Authentication;

/// <summary>A refused Connect call: the counted reason, the status it ends with and the detail the agent logs.</summary>
public sealed record AgentAuthRefusal(AgentAuthFailure Reason, StatusCode Code, string Detail);
