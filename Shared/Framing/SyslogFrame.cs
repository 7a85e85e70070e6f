using System.Buffers;

namespace Shared.Framing;

/// <summary>
/// One framed syslog message. <see cref="Payload"/> is only valid until the reader's buffer is advanced.
/// </summary>
public readonly struct SyslogFrame
{
    public SyslogFrame(ReadOnlySequence<byte> payload, SyslogFraming framing, bool isTruncated = false, long originalLength = 0)
    {
        Payload = payload;
        Framing = framing;
        IsTruncated = isTruncated;
        OriginalLength = isTruncated ? originalLength : payload.Length;
    }

    public ReadOnlySequence<byte> Payload { get; }

    public SyslogFraming Framing { get; }

    /// <summary>
    /// The message was longer than the limit: <see cref="Payload"/> holds its first bytes and the rest was discarded.
    /// </summary>
    public bool IsTruncated { get; }

    /// <summary>
    /// The sender's length: MSG-LEN for octet counting; for a truncated line, -1 (unknown until its LF arrives).
    /// </summary>
    public long OriginalLength { get; }
}
