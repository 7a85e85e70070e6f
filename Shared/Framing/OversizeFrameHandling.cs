namespace Shared.Framing;

/// <summary>What a <see cref="SyslogFrameReader"/> does with a frame longer than its maximum.</summary>
public enum OversizeFrameHandling : byte
{
    /// <summary>
    /// Deliver the first bytes as a truncated frame and discard the rest, so it never becomes a second message.
    /// </summary>
    Truncate = 0,

    /// <summary>Report <see cref="FramingErrorCode.FrameTooLarge"/>; the caller closes the connection.</summary>
    Reject = 1,
}
