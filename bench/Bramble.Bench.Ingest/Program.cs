using Bramble.Bench.Ingest;

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    await Console.Error.WriteLineAsync($"bramble-bench-ingest: {e.Message}{Environment.NewLine}{Environment.NewLine}{BenchOptions.Usage}");
    return 2;
}

return await new IngestBenchmark(options, TimeProvider.System).RunAsync();
