using System.Buffers;

namespace Shared.Syslog;

/// <summary>
/// RFC 5424 §6 parser over the bytes of one frame. ABNF-strict, with the tolerance real senders need:
/// one trailing LF after MSG is dropped (rsyslog's RSYSLOG_SyslogProtocol23Format appends it), a lower-case
/// 't'/'z' and up to 9 fraction digits are accepted in TIMESTAMP. Never throws on bad input, never allocates.
/// </summary>
public static class Rfc5424Parser
{
    /// <summary>RFC 5424 §6.4: a MSG starting with the BOM is UTF-8.</summary>
    public static ReadOnlySpan<byte> Bom => [0xEF, 0xBB, 0xBF];

    /// <summary>
    /// Parses a complete frame. Returns <see cref="OperationStatus.Done"/> or
    /// <see cref="OperationStatus.InvalidData"/>.
    /// </summary>
    public static OperationStatus TryParse(ReadOnlySpan<byte> frame, out SyslogHeader header, out SyslogParseError error)
    {
        var code = Parse(frame, out header, out int position);
        error = new SyslogParseError(code, position);
        return code == SyslogParseErrorCode.None ? OperationStatus.Done : OperationStatus.InvalidData;
    }

    private static SyslogParseErrorCode Parse(ReadOnlySpan<byte> frame, out SyslogHeader header, out int pos)
    {
        header = default;
        pos = 0;
        var code = Priority.TryRead(frame, out int prival, out int priLength);
        if (code != SyslogParseErrorCode.None)
        {
            pos = priLength;
            return code;
        }

        pos = priLength;

        // VERSION = NONZERO-DIGIT 0*2DIGIT
        int version = 0;
        int versionStart = pos;
        while (pos < frame.Length && pos - versionStart < 3 && IsDigit(frame[pos]))
        {
            version = (version * 10) + (frame[pos] - '0');
            pos++;
        }

        if (pos == versionStart || frame[versionStart] == '0')
        {
            pos = versionStart;
            return SyslogParseErrorCode.VersionInvalid;
        }

        if ((code = ExpectSpace(frame, ref pos)) != SyslogParseErrorCode.None)
        {
            return code;
        }

        // TIMESTAMP = NILVALUE / FULL-DATE "T" FULL-TIME
        SyslogTimestamp timestamp = default;
        if (IsNil(frame, pos))
        {
            pos++;
        }
        else
        {
            code = Rfc3339.TryParse(frame[pos..], out timestamp, out int consumed);
            if (code != SyslogParseErrorCode.None)
            {
                pos += consumed;
                return code;
            }

            pos += consumed;
        }

        if ((code = ExpectSpace(frame, ref pos)) != SyslogParseErrorCode.None
            || (code = ReadField(frame, ref pos, 255, SyslogParseErrorCode.HostNameTooLong, out var hostName)) != SyslogParseErrorCode.None
            || (code = ReadField(frame, ref pos, 48, SyslogParseErrorCode.AppNameTooLong, out var appName)) != SyslogParseErrorCode.None
            || (code = ReadField(frame, ref pos, 128, SyslogParseErrorCode.ProcIdTooLong, out var procId)) != SyslogParseErrorCode.None
            || (code = ReadField(frame, ref pos, 32, SyslogParseErrorCode.MsgIdTooLong, out var msgId)) != SyslogParseErrorCode.None)
        {
            return code;
        }

        // STRUCTURED-DATA = NILVALUE / 1*SD-ELEMENT
        FieldRange structuredData = default;
        if (IsNil(frame, pos))
        {
            pos++;
        }
        else if (pos < frame.Length && frame[pos] == '[')
        {
            int sdStart = pos;
            if ((code = StructuredDataSyntax.Validate(frame, ref pos)) != SyslogParseErrorCode.None)
            {
                return code;
            }

            structuredData = FieldRange.FromBounds(sdStart, pos);
        }
        else
        {
            return SyslogParseErrorCode.StructuredDataMissing;
        }

        // [SP MSG]; a frame that ends right after SD, or with only rsyslog's LF, has no MSG.
        FieldRange message = new(pos, 0);
        bool hasBom = false;
        if (pos < frame.Length && !(pos == frame.Length - 1 && frame[pos] == '\n'))
        {
            if (frame[pos] != ' ')
            {
                return SyslogParseErrorCode.SpaceExpected;
            }

            int start = pos + 1;
            int end = frame.Length;
            if (end > start && frame[end - 1] == '\n')
            {
                end--;
            }

            if (frame[start..end].StartsWith(Bom))
            {
                hasBom = true;
                start += Bom.Length;
                int invalidAt = Utf8Validation.IndexOfInvalid(frame[start..end]);
                if (invalidAt >= 0)
                {
                    pos = start + invalidAt;
                    return SyslogParseErrorCode.MessageInvalidUtf8;
                }
            }

            message = FieldRange.FromBounds(start, end);
        }

        header = new SyslogHeader
        {
            Format = SyslogFormat.Rfc5424,
            Priority = SyslogPriority.FromValue(prival),
            Version = version,
            Timestamp = timestamp,
            HostName = hostName,
            AppName = appName,
            ProcId = procId,
            MsgId = msgId,
            StructuredData = structuredData,
            Message = message,
            HasBom = hasBom,
        };
        pos = 0;
        return SyslogParseErrorCode.None;
    }

    /// <summary>
    /// Reads a header field (1*N PRINTUSASCII, or NILVALUE) and the SP after it. One vectorised scan finds the
    /// first byte outside 33–126: it must be the SP that ends the field.
    /// </summary>
    private static SyslogParseErrorCode ReadField(
        ReadOnlySpan<byte> frame, ref int pos, int maxLength, SyslogParseErrorCode tooLong, out FieldRange field)
    {
        field = default;
        var rest = frame[pos..];

        // PROCID and MSGID are usually NILVALUE: two byte compares instead of a vectorised scan.
        if (rest.Length >= 2 && rest[0] == '-' && rest[1] == ' ')
        {
            pos += 2;
            return SyslogParseErrorCode.None;
        }

        int length = rest.IndexOfAnyExceptInRange((byte)33, (byte)126);
        if (length < 0)
        {
            pos = frame.Length;
            return SyslogParseErrorCode.SpaceExpected;
        }

        if (rest[length] != ' ')
        {
            pos += length;
            return SyslogParseErrorCode.HeaderNotPrintable;
        }

        if (length == 0)
        {
            return SyslogParseErrorCode.FieldEmpty;
        }

        if (length > maxLength)
        {
            pos += maxLength;
            return tooLong;
        }

        if (!(length == 1 && rest[0] == '-'))
        {
            field = new FieldRange(pos, length);
        }

        pos += length + 1;
        return SyslogParseErrorCode.None;
    }

    private static SyslogParseErrorCode ExpectSpace(ReadOnlySpan<byte> frame, ref int pos)
    {
        if (pos < frame.Length && frame[pos] == ' ')
        {
            pos++;
            return SyslogParseErrorCode.None;
        }

        return SyslogParseErrorCode.SpaceExpected;
    }

    // NILVALUE stands alone: "-" followed by SP or the end of the frame.
    private static bool IsNil(ReadOnlySpan<byte> frame, int pos) =>
        pos < frame.Length && frame[pos] == '-' && (pos + 1 == frame.Length || frame[pos + 1] is (byte)' ' or (byte)'\n');

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;
}
