using Bramble.Bench.Rules;

return RulePassBenchmark.Run(args);
