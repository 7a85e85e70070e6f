namespace Forwarder.Parsing;

/// <summary>
/// One complete log entry. Its spans point into the parser's line or buffers: valid only during
/// <see cref="ILogEntrySink.Add"/>.
/// </summary>
public readonly ref struct LogEntry
{
    /// <summary>
    /// The runtime's RFC 3339 time exactly as in the file (docker "time", CRI first field; often 9 fraction digits);
    /// empty for plain lines.
    /// </summary>
    public ReadOnlySpan<byte> Timestamp { get; init; }

    public LogStream Stream { get; init; }

    /// <summary>
    /// File offset of the entry's first physical line (its first fragment's, when reassembled): where reading must
    /// start again to rebuild it.
    /// </summary>
    public long Offset { get; init; }

    /// <summary>
    /// The message without its trailing newline ("\n", and a "\r" before it); docker JSON already unescaped.
    /// </summary>
    public ReadOnlySpan<byte> Content { get; init; }

    /// <summary>
    /// Bytes of the whole message before it was cut; equals <see cref="Content"/>'s length unless
    /// <see cref="Truncated"/>.
    /// </summary>
    public long OriginalLength { get; init; }

    public bool Truncated => OriginalLength > Content.Length;

    /// <summary>
    /// Emitted by <see cref="LogLineParser.FlushPending"/> without its final fragment (CRI final "P" after a timeout,
    /// docker line without "\n" at the end of a deleted file).
    /// </summary>
    public bool Partial { get; init; }

    /// <summary>
    /// The line did not parse in the file's format; <see cref="Content"/> is the raw line (never dropped).
    /// </summary>
    public bool Malformed { get; init; }

    /// <summary>
    /// Not a line of the file: a marker in place of this many lines skipped by a rate limit (their file was deleted
    /// before they were read).
    /// </summary>
    public long SkippedLines { get; init; }
}
