using Forwarder.Metadata;
using Forwarder.Parsing;
using Forwarder.RateLimiting;

namespace Forwarder.Tailing;

/// <summary>
/// Rate limits (docs/forwarder.md, "Rate limits"): each line read takes a token of the pod's limit (and its
/// namespace's). Without tokens the file is simply not read further: its unread lines wait in the file, which is the
/// buffer, and nothing is dropped. Only when such a file is deleted (rotated away, then removed by the runtime) before
/// its lines were read are they skipped: a marker message of the pod says how many, in their place.
/// </summary>
internal sealed partial class FileTailer
{
    private readonly RateLimits _limits;

    /// <summary>The limits of this file's pod; null when nothing limits it.</summary>
    public PodLimit? Limit { get; private set; }

    /// <summary>
    /// The last read stopped because the pod (or its namespace) had no tokens left for more complete lines.
    /// </summary>
    public bool HeldByRateLimit { get; private set; }

    /// <summary>
    /// Lines the next read may take: unlimited without a limit, and for a pod whose lines are all excluded.
    /// </summary>
    private long LineBudget()
    {
        if (Limit is not { IsLimited: true } limit || Metadata?.Excluded == ExcludedStreams.All)
        {
            return long.MaxValue;
        }

        return limit.Available;
    }

    /// <summary>Held by the rate limit: looked at again once a useful number of tokens is there.</summary>
    public void WaitForTokens(long now)
    {
        long wait = (long)Math.Ceiling(Limit?.UntilWorthReading().TotalMilliseconds ?? 0);
        NextPoll = now + Math.Max(MinPollMs, wait);
    }

    /// <summary>
    /// For a file held by the rate limit: when it is deleted (no path leads to it and its last link is gone), its
    /// unread lines are skipped, and one message in their place says how many (<see cref="SkippedMarker"/>). Returns
    /// the lines skipped, 0 when the file is still there.
    /// </summary>
    public long SkipIfDeleted(ReadContext context, out long bytes)
    {
        bytes = 0;
        _context = context;
        if (GoneSince is null || _handle is null || !FileStatus.IsDeleted(_handle))
        {
            return 0;
        }

        // What was read already goes first: a fragment waiting for the rest of its entry, events being joined.
        Size = FileStatus.Of(_handle).Size;
        EntryEnd = ReadOffset;
        _parser.FlushPending(this);
        _joiner?.FlushAll(context.Now, this);
        long lines = CountLines(context.Buffer, ReadOffset, Size);
        bytes = Size - ReadOffset;
        if (bytes <= 0)
        {
            return 0;
        }

        var marker = SkippedMarker(lines, bytes);
        var batch = context.Batch!;
        _encoder.Encode(
            new LogEntry { Stream = LogStream.Stderr, Offset = ReadOffset, Content = marker, OriginalLength = marker.Length, SkippedLines = lines },
            context.ReadTime,
            NextOrigin(Size),
            batch);
        batch.EndMessage();
        Limit?.AddSkipped(lines, bytes);
        ReadOffset = Size;
        LastData = context.Now;
        HeldByRateLimit = false;
        batch.SetProgress(this, ProgressOffset, _epoch);
        return lines;
    }

    /// <summary>
    /// <c>N lines of pod NS/POD skipped by rate limit (container C, B bytes: the file was deleted before they were
    /// read)</c>.
    /// </summary>
    private byte[] SkippedMarker(long lines, long bytes) =>
        System.Text.Encoding.UTF8.GetBytes(
            $"{lines} lines of pod {Pod?.Namespace}/{Pod?.Pod} skipped by rate limit "
            + $"(container {Pod?.Container}, {bytes} bytes: the file was deleted before they were read)");

    // Lines between two offsets of the open file: each '\n' ends one, and a last one without it counts too (it would
    // have been sent when the file was closed).
    private long CountLines(byte[] buffer, long from, long to)
    {
        long lines = 0;
        long at = from;
        bool open = false;
        while (at < to)
        {
            int n = RandomAccess.Read(_handle!, buffer.AsSpan(0, (int)Math.Min(buffer.Length, to - at)), at);
            if (n == 0)
            {
                break;
            }

            var span = buffer.AsSpan(0, n);
            lines += span.Count((byte)'\n');
            open = span[^1] != (byte)'\n';
            at += n;
        }

        return open ? lines + 1 : lines;
    }
}
