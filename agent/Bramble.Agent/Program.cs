using Bramble.Agent.Hosting;

return await AgentHost.RunAsync(args);
