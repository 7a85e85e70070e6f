namespace Forwarder.Multiline;

/// <summary>One entry as the joiner sees it: its text, its time and where in the file it lies.</summary>
internal readonly ref struct EventLine
{
    public ReadOnlySpan<byte> Content { get; init; }

    public ReadOnlySpan<byte> Timestamp { get; init; }

    /// <summary>File offset of its first physical line.</summary>
    public long Offset { get; init; }

    /// <summary>File offset after its last physical line's '\n'.</summary>
    public long End { get; init; }

    public long OriginalLength { get; init; }

    public bool Partial { get; init; }
}
