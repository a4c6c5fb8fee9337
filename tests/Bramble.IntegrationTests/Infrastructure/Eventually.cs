using System.Diagnostics;

namespace Bramble.IntegrationTests.Infrastructure;

/// <summary>Polls a condition until it holds or a deadline passes (bounded in time and count).</summary>
public static class Eventually
{
    public static async Task<T> WaitAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string what)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(done);
        var clock = Stopwatch.StartNew();
        T last = default!;
        Exception? lastError = null;
        for (var attempt = 0; attempt < 10_000 && clock.Elapsed < timeout; attempt++)
        {
            try
            {
                last = await probe();
                if (done(last))
                {
                    return last;
                }
            }
            catch (HttpRequestException e)
            {
                lastError = e;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"{what} did not happen within {timeout.TotalSeconds} s; last value: {last}; last error: {lastError?.Message}");
    }
}
