namespace Bramble.Aggregator.Tests.Storage;

/// <summary>
/// Runs a store write on a thread of its own while every thread-pool thread is held busy, as ingest holds them at
/// 1,000 agents at full speed (bench/RESULTS.md, 2026-11-27). Only for tests in the <see cref="ThreadPoolStarvingTests"/>
/// collection: nothing else on the pool runs meanwhile.
/// </summary>
internal static class StarvedThreadPool
{
    /// <summary>What <paramref name="write"/> threw, or null; fails the test if it neither finished nor threw in time.</summary>
    public static Exception? Run(Action write, TimeSpan limit)
    {
        Exception? failure = null;
        var writer = new Thread(() =>
        {
            try
            {
                write();
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        writer.IsBackground = true;

        // More blocked work items than the pool will have threads within the limit: a thread the pool adds takes the
        // next blocked item, never work queued after them. A task, not an event, to block on: items that start after
        // the test has ended must still find something to wait on.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ThreadPool.GetMaxThreads(out var maxWorkers, out _);
        var blockers = Math.Min(maxWorkers, ThreadPool.ThreadCount + 256);
        for (var i = 0; i < blockers; i++)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static released => released.Wait(TimeSpan.FromSeconds(60)), release.Task, preferLocal: false);
        }

        try
        {
            writer.Start();
            Assert.True(writer.Join(limit), $"the write neither finished nor failed within {limit.TotalSeconds} s");
        }
        finally
        {
            release.SetResult();
        }

        return failure;
    }
}
