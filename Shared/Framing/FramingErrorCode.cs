namespace Shared.Framing;

/// <summary>
/// Why a byte stream cannot be split into syslog frames. Framing cannot resync after these: close the connection.
/// </summary>
public enum FramingErrorCode : byte
{
    None = 0,

    /// <summary>
    /// MSG-LEN starts with '0' (<c>00012</c>, <c>0 </c>): RFC 6587 §3.4.1 MSG-LEN = NONZERO-DIGIT *DIGIT.
    /// </summary>
    LengthLeadingZero,

    /// <summary>MSG-LEN does not fit in 31 bits (<c>99999999999</c>).</summary>
    LengthTooLarge,

    /// <summary>MSG-LEN is not followed by SP (<c>12&lt;13&gt;…</c>, <c>12x</c>).</summary>
    SpaceExpected,

    /// <summary>The frame is longer than the configured maximum and oversize frames are rejected.</summary>
    FrameTooLarge,
}
