using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Shared.Syslog;

/// <summary>
/// STRUCTURED-DATA syntax (RFC 5424 §6.3) shared by the parser (which validates) and
/// <see cref="StructuredDataReader"/> (which walks validated data):
/// <c>SD-ELEMENT = "[" SD-ID *(SP PARAM-NAME "=" %d34 PARAM-VALUE %d34) "]"</c>.
/// </summary>
internal static class StructuredDataSyntax
{
    public const int MaxNameLength = 32;

    /// <summary>
    /// 1 for the bytes an SD-NAME may hold: PRINTUSASCII (33–126) except '=' (61), ']' (93), '"' (34); used for the
    /// last bytes of a frame, where a 16-byte load would read past its end, and by the writer.
    /// </summary>
    internal static ReadOnlySpan<byte> NameTable =>
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];

    /// <summary>
    /// Validates 1*SD-ELEMENT starting at <paramref name="pos"/> ('['); on return pos is after the last ']' or
    /// at the error.
    /// </summary>
    public static SyslogParseErrorCode Validate(ReadOnlySpan<byte> frame, ref int pos)
    {
        int start = pos;
        while (pos < frame.Length && frame[pos] == '[')
        {
            pos++;
            var code = ReadName(frame, ref pos, out _);
            if (code != SyslogParseErrorCode.None)
            {
                return code;
            }

            while (true)
            {
                if (pos >= frame.Length)
                {
                    return SyslogParseErrorCode.SdElementUnterminated;
                }

                byte b = frame[pos];
                if (b == ']')
                {
                    pos++;
                    break;
                }

                if (b != ' ')
                {
                    return SyslogParseErrorCode.SdNameInvalid;
                }

                pos++;
                if ((code = ReadName(frame, ref pos, out _)) != SyslogParseErrorCode.None)
                {
                    return code;
                }

                if (pos >= frame.Length || frame[pos] != '=')
                {
                    return pos >= frame.Length ? SyslogParseErrorCode.SdElementUnterminated : SyslogParseErrorCode.SdParamEqualsExpected;
                }

                if (++pos >= frame.Length || frame[pos] != '"')
                {
                    return SyslogParseErrorCode.SdParamQuoteExpected;
                }

                int quote = pos;
                int end = FindValueEnd(frame, pos + 1);
                if (end < 0)
                {
                    pos = quote;
                    return SyslogParseErrorCode.SdValueUnterminated;
                }

                pos = end + 1;
            }
        }

        // Names are ASCII and escapes are ASCII, so validating the section at once validates every PARAM-VALUE.
        int invalidAt = Utf8Validation.IndexOfInvalid(frame[start..pos]);
        if (invalidAt >= 0)
        {
            pos = start + invalidAt;
            return SyslogParseErrorCode.SdValueInvalidUtf8;
        }

        return SyslogParseErrorCode.None;
    }

    /// <summary>Reads an SD-NAME (SD-ID or PARAM-NAME) at <paramref name="pos"/>.</summary>
    public static SyslogParseErrorCode ReadName(ReadOnlySpan<byte> frame, ref int pos, out FieldRange name)
    {
        int length = NameLength(frame, pos);
        name = new FieldRange(pos, length);
        if (length == 0)
        {
            return pos >= frame.Length ? SyslogParseErrorCode.SdElementUnterminated : SyslogParseErrorCode.SdNameInvalid;
        }

        if (length > MaxNameLength)
        {
            pos += MaxNameLength;
            return SyslogParseErrorCode.SdNameTooLong;
        }

        pos += length;
        return SyslogParseErrorCode.None;
    }

    /// <summary>
    /// Offset of the closing '"' of a PARAM-VALUE whose first byte is at <paramref name="pos"/>, or -1.
    /// </summary>
    public static int FindValueEnd(ReadOnlySpan<byte> frame, int pos)
    {
        // Inside PARAM-VALUE only '"' ends the value and '\' escapes the next byte (§6.3.3). Values are short
        // (Kubernetes names and ids) and the frame goes on after them, so one 16-byte compare usually finds the end:
        // about half the time of a byte loop, and less than IndexOfAny, whose setup dominates on short runs.
        ref byte start = ref MemoryMarshal.GetReference(frame);
        var quote = Vector128.Create((byte)'"');
        var backslash = Vector128.Create((byte)'\\');
        while (pos <= frame.Length - Vector128<byte>.Count)
        {
            var chunk = Vector128.LoadUnsafe(ref start, (nuint)pos);
            uint hits = (Vector128.Equals(chunk, quote) | Vector128.Equals(chunk, backslash)).ExtractMostSignificantBits();
            if (hits == 0)
            {
                pos += Vector128<byte>.Count;
                continue;
            }

            pos += BitOperations.TrailingZeroCount(hits);
            if (frame[pos] == '"')
            {
                return pos;
            }

            pos += 2; // '\' and the byte it escapes
        }

        while (pos < frame.Length)
        {
            byte b = frame[pos];
            if (b == '"')
            {
                return pos;
            }

            pos += b == '\\' ? 2 : 1;
        }

        return -1;
    }

    /// <summary>
    /// Length of the run of SD-NAME bytes at <paramref name="pos"/>; stops early once it is past
    /// <see cref="MaxNameLength"/>.
    /// </summary>
    private static int NameLength(ReadOnlySpan<byte> frame, int pos)
    {
        // 16 bytes at a time while the frame has them (it usually has: a value and MSG follow every name).
        ref byte start = ref MemoryMarshal.GetReference(frame);
        int end = pos;
        while (end <= frame.Length - Vector128<byte>.Count && end - pos <= MaxNameLength)
        {
            var chunk = Vector128.LoadUnsafe(ref start, (nuint)end);
            var notName = Vector128.GreaterThan(chunk - Vector128.Create((byte)33), Vector128.Create((byte)(126 - 33)))
                | Vector128.Equals(chunk, Vector128.Create((byte)'='))
                | Vector128.Equals(chunk, Vector128.Create((byte)']'))
                | Vector128.Equals(chunk, Vector128.Create((byte)'"'));
            uint hits = notName.ExtractMostSignificantBits();
            if (hits != 0)
            {
                return end - pos + BitOperations.TrailingZeroCount(hits);
            }

            end += Vector128<byte>.Count;
        }

        var table = NameTable;
        while ((uint)end < (uint)frame.Length && table[frame[end]] != 0 && end - pos <= MaxNameLength)
        {
            end++;
        }

        return end - pos;
    }
}
