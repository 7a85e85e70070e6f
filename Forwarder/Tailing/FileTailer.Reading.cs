namespace Forwarder.Tailing;

internal sealed partial class FileTailer
{
    private long _longLineScanFrom;
    private long _fingerprintCheckedAt;
    private bool _idle;

    /// <summary>
    /// Reads one chunk at <see cref="ReadOffset"/> and parses its complete lines into the context's batch.
    /// Returns the bytes consumed; 0 when there is no complete new line. Throws <see cref="IOException"/> on a read
    /// error.
    /// </summary>
    public int ReadChunk(ReadContext context)
    {
        _context = context;
        byte[] buffer = context.Buffer;
        if (_idle)
        {
            // New data after a quiet spell: is it still the same file from the top? A truncate followed by more writes
            // than there were before leaves the size larger, and only the first bytes tell (copytruncate).
            _idle = false;
            if (Fingerprint.Length > 0 && !Fingerprint.Matches(_handle!))
            {
                context.Counters.AddFileTruncation();
                Restart();
                TruncationNoticed = true;
            }
        }

        // Each line takes a token of the pod's rate limit; without one the file is not read further (it is the buffer).
        long budget = LineBudget();
        HeldByRateLimit = false;
        if (budget == 0)
        {
            HeldByRateLimit = true;
            return 0;
        }

        int n = RandomAccess.Read(_handle!, buffer, ReadOffset);
        if (n == 0)
        {
            return 0;
        }

        // The joiner keeps a line waiting for the next one in the buffer, not copied, until this chunk is done (the
        // buffer is shared by every file and read into again by the next chunk).
        _joiner?.BeginChunk(buffer);
        int consumed = 0;
        long lines = 0;
        try
        {
            lines = ParseLines(buffer.AsSpan(0, n), budget, out consumed);
            if (!HeldByRateLimit && (consumed > 0 || n < buffer.Length))
            {
                // A busy file may never reach its end: events of a quiet stream are sent here too. Not while the rate
                // limit holds the file: the next lines are there, only not read yet, and may continue the event.
                _joiner?.FlushExpired(context.Now, this);
            }
        }
        finally
        {
            _joiner?.EndChunk();
        }

        if (consumed == 0 && n == buffer.Length)
        {
            Limit?.Take(1);
            return ReadOverlongLine(context);
        }

        Limit?.Take(lines);
        Consumed(context, consumed);
        return consumed;
    }

    // The complete lines of one chunk, at most budget of them; returns how many, and the bytes they took.
    private long ParseLines(ReadOnlySpan<byte> span, long budget, out int consumed)
    {
        consumed = 0;
        long lines = 0;
        while (true)
        {
            int newline = span[consumed..].IndexOf((byte)'\n');
            if (newline < 0)
            {
                return lines;
            }

            if (lines == budget)
            {
                HeldByRateLimit = true;
                return lines;
            }

            EntryEnd = ReadOffset + consumed + newline + 1;
            _parser.ParseLine(span.Slice(consumed, newline), ReadOffset + consumed, newline, this);
            consumed += newline + 1;
            lines++;
        }
    }

    /// <summary>
    /// At the end of the data: notices truncation and a changed start (copytruncate), sends a partial entry that waited
    /// too long, and closes a file no path leads to any more once it was drained for <paramref name="rotateWaitMs"/>.
    /// Returns true when the file was truncated (the caller logs it).
    /// </summary>
    public bool AtEnd(ReadContext context, long partialTimeoutMs, long rotateWaitMs, out bool closed)
    {
        closed = false;
        _idle = true;
        _context = context;
        long now = context.Now;
        var status = FileStatus.Of(_handle!);
        Size = status.Size;
        bool truncated = status.Size < ReadOffset;
        if (!truncated && Fingerprint.Length > 0 && now - _fingerprintCheckedAt >= 1000)
        {
            _fingerprintCheckedAt = now;
            truncated = !Fingerprint.Matches(_handle!);
        }

        if (truncated)
        {
            context.Counters.AddFileTruncation();
            Restart();
            context.Batch!.SetProgress(this, 0, _epoch);
            return true;
        }

        if (!Fingerprint.IsComplete && Fingerprint.Length < status.Size)
        {
            Fingerprint = FileFingerprint.Read(_handle!);
        }

        if (_parser.PendingOffset is not null && now - LastData >= partialTimeoutMs)
        {
            EntryEnd = ReadOffset;
            _parser.FlushPending(this);
            context.Batch!.SetProgress(this, ProgressOffset, _epoch);
        }

        if (_joiner?.NextFlushAt is long due && now >= due)
        {
            _joiner.FlushExpired(now, this);
            context.Batch!.SetProgress(this, ProgressOffset, _epoch);
        }

        if (GoneSince is long gone && now - gone >= rotateWaitMs)
        {
            DrainUnterminatedLine(context);
            EntryEnd = ReadOffset;
            _parser.FlushPending(this);
            _joiner?.FlushAll(now, this);
            context.Batch!.SetProgress(this, ReadOffset, _epoch);
            Dispose();
            closed = true;
        }

        return false;
    }

    /// <summary>
    /// Set when a read found the file rewritten from the top, until the loop takes the notice to log it once.
    /// </summary>
    public bool TruncationNoticed { get; private set; }

    /// <summary>True once per truncation found by a read: the loop logs it.</summary>
    public bool TakeTruncationNotice()
    {
        bool noticed = TruncationNoticed;
        TruncationNoticed = false;
        return noticed;
    }

    private void Consumed(ReadContext context, long bytes)
    {
        ReadOffset += bytes;
        LastData = context.Now;
        context.Counters.AddBytes(bytes);
        context.Batch!.SetProgress(this, ProgressOffset, _epoch);
    }

    // A physical line longer than the read buffer: find where it ends without buffering it, then parse its head
    // (the parser cuts and marks it). An unfinished one is scanned on from where the last look stopped.
    private int ReadOverlongLine(ReadContext context)
    {
        byte[] buffer = context.Buffer;
        long scan = Math.Max(_longLineScanFrom, ReadOffset + buffer.Length);
        long end;
        while (true)
        {
            int n = RandomAccess.Read(_handle!, buffer, scan);
            if (n == 0)
            {
                _longLineScanFrom = scan;
                return 0;
            }

            int newline = buffer.AsSpan(0, n).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                end = scan + newline;
                break;
            }

            scan += n;
        }

        int head = RandomAccess.Read(_handle!, buffer, ReadOffset);
        long length = end - ReadOffset;
        EntryEnd = end + 1;
        _parser.ParseLine(buffer.AsSpan(0, (int)Math.Min(head, length)), ReadOffset, length, this);
        _longLineScanFrom = 0;
        Consumed(context, length + 1);
        return (int)Math.Min(length + 1, int.MaxValue);
    }

    // The file is finished (renamed away or deleted, and drained): a last line without '\n' will never be completed.
    private void DrainUnterminatedLine(ReadContext context)
    {
        long remaining = Size - ReadOffset;
        if (remaining <= 0)
        {
            return;
        }

        int n = RandomAccess.Read(_handle!, context.Buffer, ReadOffset);
        if (n > 0)
        {
            EntryEnd = ReadOffset + remaining;
            _parser.ParseLine(context.Buffer.AsSpan(0, n), ReadOffset, remaining, this);
            Consumed(context, remaining);
        }
    }
}
