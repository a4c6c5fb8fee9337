using Bramble.Aggregator.Hosting;

return await AggregatorHost.RunAsync(args);
