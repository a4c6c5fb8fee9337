namespace Bramble.Aggregator.Tests.Storage;

/// <summary>Tests that hold the whole thread pool busy run alone: every other test would stall meanwhile.</summary>
[CollectionDefinition(nameof(ThreadPoolStarvingTests), DisableParallelization = true)]
public sealed class ThreadPoolStarvingTests;
