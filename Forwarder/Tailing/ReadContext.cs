using Forwarder.Shipping;

namespace Forwarder.Tailing;

/// <summary>What one pass of the tailing loop shares with every file it reads: one read buffer, the batch being
/// filled, and the time of reading (for lines without a time of their own).</summary>
internal sealed class ReadContext(int bufferSize, TailingCounters counters)
{
    private readonly byte[] _readTime = new byte[32];
    private int _readTimeLength;

    public byte[] Buffer { get; } = new byte[bufferSize];

    public TailingCounters Counters { get; } = counters;

    public OutgoingBatch? Batch { get; set; }

    /// <summary>Milliseconds on a monotonic clock, taken once per pass.</summary>
    public long Now { get; private set; }

    public ReadOnlySpan<byte> ReadTime => _readTime.AsSpan(0, _readTimeLength);

    /// <summary>Once per pass: RFC 3339 with microseconds, as RFC 5424 §6.2.3 allows.</summary>
    public void SetTime(TimeProvider time)
    {
        Now = time.GetTimestamp() * 1000 / time.TimestampFrequency;
        var utc = time.GetUtcNow();
        utc.UtcDateTime.TryFormat(
            _readTime,
            out _readTimeLength,
            "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'",
            System.Globalization.CultureInfo.InvariantCulture);
    }
}
