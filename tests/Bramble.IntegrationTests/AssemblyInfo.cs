// These tests start real processes on loopback ports; running them one at a time keeps them honest on 2 cores.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
