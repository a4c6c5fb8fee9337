using System.Numerics;

namespace Bramble.Bench.Ingest;

/// <summary>
/// Log-linear histogram of latencies in microseconds, shared by every agent (lock-free increments). Each power
/// of two is split into 64 buckets, so a percentile is off by at most 1/64 (1.6 %), in constant memory however
/// many samples a run takes.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int SubBucketBits = 6;
    private const int SubBuckets = 1 << SubBucketBits;

    // Up to 2^40 µs (12 days): far beyond any run; larger values land in the last bucket.
    private const int MaxShift = 40 - SubBucketBits;
    private const int BucketCount = (MaxShift + 2) * SubBuckets;

    private readonly long[] _counts = new long[BucketCount];
    private long _total;
    private long _maxMicroseconds;

    public long Count => Interlocked.Read(ref _total);

    public double MaxMilliseconds => Interlocked.Read(ref _maxMicroseconds) / 1000.0;

    public void Record(long microseconds)
    {
        var value = Math.Max(0, microseconds);
        Interlocked.Increment(ref _counts[Index(value)]);
        Interlocked.Increment(ref _total);
        var max = Interlocked.Read(ref _maxMicroseconds);
        while (value > max)
        {
            var seen = Interlocked.CompareExchange(ref _maxMicroseconds, value, max);
            if (seen == max)
            {
                break;
            }

            max = seen;
        }
    }

    /// <summary>The value below which <paramref name="percentile"/> % of samples lie (bucket midpoint), in ms; NaN when empty.</summary>
    public double PercentileMilliseconds(double percentile)
    {
        var total = Count;
        if (total == 0)
        {
            return double.NaN;
        }

        var rank = (long)Math.Ceiling(percentile / 100.0 * total);
        long seen = 0;
        for (var i = 0; i < BucketCount; i++)
        {
            seen += Interlocked.Read(ref _counts[i]);
            if (seen >= Math.Max(1, rank))
            {
                var (low, width) = Bounds(i);
                return (low + ((width - 1) / 2.0)) / 1000.0;
            }
        }

        return MaxMilliseconds;
    }

    private static int Index(long value)
    {
        if (value < 2 * SubBuckets)
        {
            return (int)value;
        }

        var shift = Math.Min(MaxShift, 63 - BitOperations.LeadingZeroCount((ulong)value) - SubBucketBits);
        var sub = Math.Min(SubBuckets - 1, (value >> shift) - SubBuckets);
        return ((shift + 1) * SubBuckets) + (int)sub;
    }

    private static (long Low, long Width) Bounds(int index)
    {
        if (index < 2 * SubBuckets)
        {
            return (index, 1);
        }

        var shift = (index / SubBuckets) - 1;
        return ((long)((index % SubBuckets) + SubBuckets) << shift, 1L << shift);
    }
}
