namespace Shared.Syslog;

/// <summary>PRI = "&lt;" PRIVAL "&gt;", PRIVAL = 1*3DIGIT in 0–191 (RFC 5424 §6.2.1), shared by both parsers.</summary>
internal static class Priority
{
    /// <summary>
    /// Reads PRI at the start of <paramref name="frame"/>. On success <paramref name="length"/> is the PRI's length
    /// including the brackets; on failure it is the offset of the offending byte.
    /// </summary>
    public static SyslogParseErrorCode TryRead(ReadOnlySpan<byte> frame, out int value, out int length)
    {
        value = 0;
        length = 0;
        if (frame.IsEmpty)
        {
            return SyslogParseErrorCode.EmptyMessage;
        }

        if (frame[0] != '<')
        {
            return SyslogParseErrorCode.PriMissing;
        }

        int pos = 1;
        while (pos < frame.Length && pos <= 4 && (uint)(frame[pos] - '0') <= 9)
        {
            value = (value * 10) + (frame[pos] - '0');
            pos++;
        }

        int digits = pos - 1;
        if (digits == 0)
        {
            length = 1;
            return SyslogParseErrorCode.PriNotANumber;
        }

        // "<0>" is valid; "<00>" or "<013>" are not (RFC 5424 §6.2.1 has no leading zeros).
        if (digits > 1 && frame[1] == '0')
        {
            length = 1;
            return SyslogParseErrorCode.PriLeadingZero;
        }

        if (digits > 3)
        {
            length = 4;
            return SyslogParseErrorCode.PriNotANumber;
        }

        if (value > SyslogPriority.MaxValue)
        {
            length = 1;
            return SyslogParseErrorCode.PriTooLarge;
        }

        if (pos >= frame.Length || frame[pos] != '>')
        {
            length = pos;
            return SyslogParseErrorCode.PriUnterminated;
        }

        length = pos + 1;
        return SyslogParseErrorCode.None;
    }
}
