using System.Buffers;

namespace Shared.Syslog;

/// <summary>
/// Parses a frame in whichever format it is in. A frame starting <c>&lt;PRI&gt;1 SP</c> (a valid PRI, then VERSION 1,
/// the only one RFC 5424 defines) is RFC 5424; anything else is RFC 3164, whose parser accepts any non-empty frame.
/// This is rsyslog's test too (pmrfc5424 takes only <c>"1 "</c> after PRI): <c>&lt;13&gt;2 x</c> and
/// <c>&lt;13&gt;10 apples</c> are legacy messages whose TAG is <c>2</c> or <c>10</c>, not future protocol versions.
/// </summary>
public static class SyslogParser
{
    /// <summary>The format <see cref="TryParse"/> parses <paramref name="frame"/> as.</summary>
    public static SyslogFormat Detect(ReadOnlySpan<byte> frame) =>
        Priority.TryRead(frame, out _, out int priLength) == SyslogParseErrorCode.None
        && frame[priLength..].StartsWith("1 "u8)
            ? SyslogFormat.Rfc5424
            : SyslogFormat.Rfc3164;

    /// <summary>
    /// Parses <paramref name="frame"/> as <see cref="Detect"/> says. A frame that starts like RFC 5424 but breaks its
    /// grammar returns the RFC 5424 error rather than being re-read as RFC 3164: a sender that writes
    /// <c>&lt;PRI&gt;1 </c> claims RFC 5424, and a lenient re-read would hide its bug behind a plausible-looking
    /// message with a made-up TAG. <paramref name="now"/> dates RFC 3164 timestamps, which have no year.
    /// </summary>
    public static OperationStatus TryParse(ReadOnlySpan<byte> frame, DateTimeOffset now, out SyslogHeader header, out SyslogParseError error) =>
        Detect(frame) == SyslogFormat.Rfc5424
            ? Rfc5424Parser.TryParse(frame, out header, out error)
            : Rfc3164Parser.TryParse(frame, now, out header, out error);
}
