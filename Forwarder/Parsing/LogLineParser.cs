using System.Buffers;

namespace Forwarder.Parsing;

/// <summary>
/// Turns the physical lines of one container log file into entries: decodes docker json-file or CRI lines, joins the
/// fragments runtimes split long messages into (per stream, as stdout and stderr fragments interleave), and keeps what
/// does not parse as a malformed entry. One per file; not thread-safe (one tailing loop calls it).
/// </summary>
public sealed class LogLineParser
{
    private readonly int _maxMessageBytes;

    // Indexed by LogStream; created on the stream's first fragment, which most files never have.
    private readonly PendingEntry?[] _pending = new PendingEntry?[3];

    public LogLineParser(LogFormat format, int maxMessageBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxMessageBytes);
        Format = format;
        _maxMessageBytes = maxMessageBytes;
    }

    /// <summary>The file's format; <see cref="LogFormat.Auto"/> until the first non-empty line decided it.</summary>
    public LogFormat Format { get; private set; }

    /// <summary>
    /// File offset of the first physical line of the oldest entry still being reassembled, null when none. A checkpoint
    /// must not pass it: after a restart the file is read again from there (entries of the other stream completed
    /// meanwhile are then sent twice, never lost).
    /// </summary>
    public long? PendingOffset
    {
        get
        {
            long? oldest = null;
            foreach (var pending in _pending)
            {
                if (pending is { IsActive: true } && (oldest is null || pending.FirstOffset < oldest))
                {
                    oldest = pending.FirstOffset;
                }
            }

            return oldest;
        }
    }

    /// <summary>
    /// Parses one physical line. <paramref name="line"/> is the line without its '\n'; <paramref name="lineOffset"/>
    /// the file offset of its first byte; <paramref name="lineLength"/> the physical line's full length
    /// without the '\n'.
    /// <paramref name="line"/> is shorter than <paramref name="lineLength"/> when the tailer cut an overlong line: the
    /// entry is then <see cref="LogEntry.Truncated"/>, and for docker and CRI also <see cref="LogEntry.Malformed"/>
    /// (raw), since the end of its syntax is missing. Complete entries go to <paramref name="sink"/> before
    /// this returns.
    /// </summary>
    public void ParseLine(ReadOnlySpan<byte> line, long lineOffset, long lineLength, ILogEntrySink sink)
    {
        bool cut = line.Length < lineLength;
        if (Format == LogFormat.Auto)
        {
            if (line.IsEmpty)
            {
                EmitWhole(default, LogStream.Unknown, line, lineLength, malformed: false, lineOffset, sink);
                return;
            }

            Format = Detect(line, cut);
        }

        if (Format == LogFormat.Plain)
        {
            // A cut line may have had a CR at its end; only a whole one is known to.
            var content = cut ? line : TrimCarriageReturn(line);
            EmitWhole(default, LogStream.Unknown, content, cut ? lineLength : content.Length, malformed: false, lineOffset, sink);
        }
        else if (cut)
        {
            EmitWhole(default, LogStream.Unknown, line, lineLength, malformed: true, lineOffset, sink);
        }
        else if (Format == LogFormat.Docker)
        {
            ParseDocker(line, lineOffset, sink);
        }
        else
        {
            ParseCri(line, lineOffset, sink);
        }
    }

    /// <summary>
    /// Emits every entry still being reassembled, oldest first, marked <see cref="LogEntry.Partial"/>. The caller
    /// decides when: a CRI flush timeout, a deleted file. Not at shutdown: the checkpoint at
    /// <see cref="PendingOffset"/> has them read again.
    /// </summary>
    public void FlushPending(ILogEntrySink sink)
    {
        while (Oldest() is { } pending)
        {
            Emit(pending, partial: true, sink);
        }
    }

    /// <summary>Forgets the entries being reassembled (the file was truncated). The detected format stays.</summary>
    public void Reset()
    {
        foreach (var pending in _pending)
        {
            pending?.Clear();
        }
    }

    private static LogFormat Detect(ReadOnlySpan<byte> line, bool cut)
    {
        if (line[0] == '{' && (cut ? line.StartsWith("{\"log\":\""u8) : DockerJsonLine.TryParse(line, out _)))
        {
            return LogFormat.Docker;
        }

        return CriLine.TryParse(line, out _) ? LogFormat.Cri : LogFormat.Plain;
    }

    private void ParseDocker(ReadOnlySpan<byte> line, long lineOffset, ILogEntrySink sink)
    {
        if (!DockerJsonLine.TryParse(line, out var parsed))
        {
            EmitWhole(default, LogStream.Unknown, line, line.Length, malformed: true, lineOffset, sink);
            return;
        }

        var log = parsed.Log;
        switch (parsed.Escapes)
        {
            case LogEscapes.None:
                AddFragment(parsed.Time, parsed.Stream, log, isLast: false, lineOffset, sink);
                return;
            case LogEscapes.NewlineOnly:
                AddFragment(parsed.Time, parsed.Stream, log[..^2], isLast: true, lineOffset, sink);
                return;
        }

        // Escapes other than the final "\n" (quotes, tabs, ANSI colours as \u001b): decode into a rented
        // scratch buffer.
        byte[] scratch = ArrayPool<byte>.Shared.Rent(log.Length);
        try
        {
            int length = JsonString.Unescape(log, scratch);
            if (length < 0)
            {
                EmitWhole(default, LogStream.Unknown, line, line.Length, malformed: true, lineOffset, sink);
                return;
            }

            var text = scratch.AsSpan(0, length);
            bool isLast = length > 0 && text[^1] == '\n';
            AddFragment(parsed.Time, parsed.Stream, isLast ? text[..^1] : text, isLast, lineOffset, sink);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private void ParseCri(ReadOnlySpan<byte> line, long lineOffset, ILogEntrySink sink)
    {
        if (!CriLine.TryParse(line, out var parsed))
        {
            EmitWhole(default, LogStream.Unknown, line, line.Length, malformed: true, lineOffset, sink);
            return;
        }

        AddFragment(parsed.Time, parsed.Stream, parsed.Content, isLast: !parsed.IsPartial, lineOffset, sink);
    }

    /// <summary>
    /// Adds one fragment of <paramref name="stream"/>'s current entry; the last one (or a whole message) emits it.
    /// </summary>
    private void AddFragment(ReadOnlySpan<byte> time, LogStream stream, ReadOnlySpan<byte> content, bool isLast, long lineOffset, ILogEntrySink sink)
    {
        var pending = _pending[(int)stream];
        if (pending is not { IsActive: true })
        {
            if (isLast)
            {
                content = TrimCarriageReturn(content);
                EmitWhole(time, stream, content, content.Length, malformed: false, lineOffset, sink);
                return;
            }

            pending ??= _pending[(int)stream] = new PendingEntry(stream);
            pending.Start(time, lineOffset);
        }

        pending.Append(content, _maxMessageBytes);
        if (isLast)
        {
            pending.TrimCarriageReturn();
            Emit(pending, partial: false, sink);
        }
    }

    private void EmitWhole(
        ReadOnlySpan<byte> time,
        LogStream stream,
        ReadOnlySpan<byte> content,
        long originalLength,
        bool malformed,
        long lineOffset,
        ILogEntrySink sink)
    {
        sink.Add(new LogEntry
        {
            Timestamp = time,
            Stream = stream,
            Offset = lineOffset,
            Content = Utf8Tail.Cut(content, _maxMessageBytes),
            OriginalLength = originalLength,
            Malformed = malformed,
        });
    }

    private static void Emit(PendingEntry pending, bool partial, ILogEntrySink sink)
    {
        try
        {
            sink.Add(new LogEntry
            {
                Timestamp = pending.Timestamp,
                Stream = pending.Stream,
                Offset = pending.FirstOffset,
                Content = pending.Content,
                OriginalLength = pending.OriginalLength,
                Partial = partial,
            });
        }
        finally
        {
            pending.Clear();
        }
    }

    private PendingEntry? Oldest()
    {
        PendingEntry? oldest = null;
        foreach (var pending in _pending)
        {
            if (pending is { IsActive: true } && (oldest is null || pending.FirstOffset < oldest.FirstOffset))
            {
                oldest = pending;
            }
        }

        return oldest;
    }

    private static ReadOnlySpan<byte> TrimCarriageReturn(ReadOnlySpan<byte> content) =>
        !content.IsEmpty && content[^1] == '\r' ? content[..^1] : content;
}
