using System.Runtime.CompilerServices;

namespace Shared.Syslog;

/// <summary>
/// Fixed-position RFC 3339 timestamps as RFC 5424 §6.2.3 uses them:
/// <c>YYYY-MM-DD"T"hh:mm:ss[.frac]("Z"|("+"|"-")hh:mm)</c>. Written by hand because the BCL parsers
/// accept other shapes and allocate; this one reads bytes and never throws on bad input.
/// </summary>
public static class Rfc3339
{
    /// <summary>Longest text <see cref="Write"/> produces: 19 + '.' + 6 digits + '+hh:mm'.</summary>
    public const int MaxLength = 32;

    private const int MinLength = 20; // YYYY-MM-DDThh:mm:ssZ

    private static readonly int[] DaysBeforeMonth = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

    private static readonly long[] PowersOfTen =
    [
        1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000,
    ];

    /// <summary>
    /// Parses a timestamp at the start of <paramref name="text"/>. Accepts 1–9 fraction digits (RFC 5424
    /// allows 6; container runtimes write 9 and the extra precision below 100 ns is dropped) and a lower-case
    /// <c>t</c>/<c>z</c> (RFC 3339 §5.6). On failure <paramref name="consumed"/> is the offset of the bad byte.
    /// </summary>
    public static SyslogParseErrorCode TryParse(ReadOnlySpan<byte> text, out SyslogTimestamp timestamp, out int consumed)
    {
        timestamp = default;
        consumed = 0;
        if (text.Length < MinLength)
        {
            consumed = FirstShapeError(text);
            return SyslogParseErrorCode.TimestampInvalid;
        }

        int year = Digits4(text);
        int month = Digits2(text, 5);
        int day = Digits2(text, 8);
        int hour = Digits2(text, 11);
        int minute = Digits2(text, 14);
        int second = Digits2(text, 17);
        if (year < 0 || text[4] != '-' || month < 0 || text[7] != '-' || day < 0 || (text[10] | 0x20) != 't'
            || hour < 0 || text[13] != ':' || minute < 0 || text[16] != ':' || second < 0)
        {
            consumed = FirstShapeError(text);
            return SyslogParseErrorCode.TimestampInvalid;
        }

        // RFC 5424 §6.2.3: leap seconds MUST NOT be used, so 60 is out of range like 24:00.
        int outOfRangeAt = year == 0 ? 0
            : month is 0 or > 12 ? 5
            : day == 0 || day > DateTime.DaysInMonth(year, month) ? 8
            : hour > 23 ? 11
            : minute > 59 ? 14
            : second > 59 ? 17
            : -1;
        if (outOfRangeAt >= 0)
        {
            consumed = outOfRangeAt;
            return SyslogParseErrorCode.TimestampOutOfRange;
        }

        int pos = 19;
        long fractionTicks = 0;
        int fractionDigits = 0;
        if (text[pos] == '.')
        {
            pos++;
            long fraction = 0;
            while (pos < text.Length && IsDigit(text[pos]))
            {
                if (++fractionDigits > 9)
                {
                    consumed = pos;
                    return SyslogParseErrorCode.TimestampInvalid;
                }

                fraction = (fraction * 10) + (text[pos] - '0');
                pos++;
            }

            if (fractionDigits == 0)
            {
                consumed = pos;
                return SyslogParseErrorCode.TimestampInvalid;
            }

            // Ticks are 100 ns: scale the fraction to 7 digits.
            fractionTicks = fractionDigits <= 7
                ? fraction * PowersOfTen[7 - fractionDigits]
                : fraction / PowersOfTen[fractionDigits - 7];
        }

        if (!TryParseOffset(text[pos..], out var offset, out int offsetLength, out var offsetError))
        {
            consumed = pos;
            return offsetError;
        }

        long localTicks = (DayNumber(year, month, day) * TimeSpan.TicksPerDay)
            + ((((hour * 60) + minute) * 60) + second) * TimeSpan.TicksPerSecond
            + fractionTicks;
        long utcTicks = localTicks - offset.Ticks;
        if (utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks)
        {
            consumed = 0;
            return SyslogParseErrorCode.TimestampOutOfRange;
        }

        timestamp = new SyslogTimestamp(new DateTimeOffset(localTicks, offset), fractionDigits);
        consumed = pos + offsetLength;
        return SyslogParseErrorCode.None;
    }

    /// <summary>Writes <paramref name="timestamp"/> (which must have a value) and returns the bytes written.</summary>
    public static int Write(Span<byte> destination, SyslogTimestamp timestamp)
    {
        var value = timestamp.Value;
        if (destination.Length < MaxLength)
        {
            throw new ArgumentException($"Needs {MaxLength} bytes.", nameof(destination));
        }

        // One date computation instead of one per Year/Month/Day property (each recomputes it from the ticks).
        value.DateTime.Deconstruct(out int year, out int month, out int day);
        int secondOfDay = (int)(value.Ticks % TimeSpan.TicksPerDay / TimeSpan.TicksPerSecond);
        WriteTwo(destination, 0, year / 100);
        WriteTwo(destination, 2, year % 100);
        destination[4] = (byte)'-';
        WriteTwo(destination, 5, month);
        destination[7] = (byte)'-';
        WriteTwo(destination, 8, day);
        destination[10] = (byte)'T';
        WriteTwo(destination, 11, secondOfDay / 3600);
        destination[13] = (byte)':';
        WriteTwo(destination, 14, secondOfDay / 60 % 60);
        destination[16] = (byte)':';
        WriteTwo(destination, 17, secondOfDay % 60);
        int pos = 19;

        int digits = Math.Min((int)timestamp.FractionDigits, SyslogTimestamp.MaxFractionDigits);
        if (digits > 0)
        {
            int ticksInSecond = (int)(value.Ticks % TimeSpan.TicksPerSecond);

            // Constant divisors compile to multiplications; dividing by PowersOfTen[n] was a hardware divide (~20 ns).
            int fraction = digits switch
            {
                1 => ticksInSecond / 1_000_000,
                2 => ticksInSecond / 100_000,
                3 => ticksInSecond / 10_000,
                4 => ticksInSecond / 1_000,
                5 => ticksInSecond / 100,
                _ => ticksInSecond / 10,
            };
            destination[pos++] = (byte)'.';
            WriteDigits(destination, pos, fraction, digits);
            pos += digits;
        }

        var offset = value.Offset;
        if (offset == TimeSpan.Zero)
        {
            destination[pos++] = (byte)'Z';
            return pos;
        }

        int totalMinutes = (int)(offset.Ticks / TimeSpan.TicksPerMinute);
        destination[pos++] = totalMinutes < 0 ? (byte)'-' : (byte)'+';
        totalMinutes = Math.Abs(totalMinutes);
        WriteTwo(destination, pos, totalMinutes / 60);
        destination[pos + 2] = (byte)':';
        WriteTwo(destination, pos + 3, totalMinutes % 60);
        return pos + 5;
    }

    public static string Format(SyslogTimestamp timestamp)
    {
        Span<byte> buffer = stackalloc byte[MaxLength];
        int length = Write(buffer, timestamp);
        return System.Text.Encoding.ASCII.GetString(buffer[..length]);
    }

    private static bool TryParseOffset(ReadOnlySpan<byte> text, out TimeSpan offset, out int length, out SyslogParseErrorCode error)
    {
        offset = TimeSpan.Zero;
        length = 0;
        error = SyslogParseErrorCode.TimestampInvalid;
        if (text.IsEmpty)
        {
            return false;
        }

        if ((text[0] | 0x20) == 'z')
        {
            length = 1;
            return true;
        }

        if ((text[0] != '+' && text[0] != '-') || text.Length < 6 || text[3] != ':')
        {
            return false;
        }

        int hours = Digits2(text, 1);
        int minutes = Digits2(text, 4);
        if (hours < 0 || minutes < 0)
        {
            return false;
        }

        // DateTimeOffset carries offsets up to ±14:00, which covers every real time zone.
        if (minutes > 59 || (hours * 60) + minutes > 14 * 60)
        {
            error = SyslogParseErrorCode.TimestampOutOfRange;
            return false;
        }

        offset = new TimeSpan(hours, minutes, 0);
        if (text[0] == '-')
        {
            offset = -offset;
        }

        length = 6;
        return true;
    }

    // Offset of the first byte that breaks the fixed shape; for a text too short to break it, its end (the
    // missing byte).
    private static int FirstShapeError(ReadOnlySpan<byte> text)
    {
        ReadOnlySpan<byte> shape = "dddd-dd-ddTdd:dd:dd"u8;
        for (int i = 0; i < shape.Length && i < text.Length; i++)
        {
            bool ok = shape[i] == 'd' ? IsDigit(text[i]) : (text[i] | (i == 10 ? 0x20 : 0)) == (shape[i] | (i == 10 ? 0x20 : 0));
            if (!ok)
            {
                return i;
            }
        }

        return Math.Min(text.Length, shape.Length);
    }

    /// <summary>
    /// Days since 0001-01-01 for a date already checked to exist (the DateTime constructor's arithmetic, without
    /// its checks).
    /// </summary>
    private static long DayNumber(int year, int month, int day)
    {
        int y = year - 1;
        int days = (y * 365) + (y / 4) - (y / 100) + (y / 400) + DaysBeforeMonth[month - 1] + day - 1;
        return month > 2 && DateTime.IsLeapYear(year) ? days + 1 : days;
    }

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    private static int Digits2(ReadOnlySpan<byte> text, int at)
    {
        uint d0 = (uint)(text[at] - '0');
        uint d1 = (uint)(text[at + 1] - '0');
        return d0 <= 9 && d1 <= 9 ? (int)((d0 * 10) + d1) : -1;
    }

    private static int Digits4(ReadOnlySpan<byte> text)
    {
        int high = Digits2(text, 0);
        int low = Digits2(text, 2);
        return high < 0 || low < 0 ? -1 : (high * 100) + low;
    }

    /// <summary>
    /// "00" to "99": two digits per lookup instead of a division per digit (timestamp writing was ~50 ns).
    /// </summary>
    private static ReadOnlySpan<byte> TwoDigits =>
        "0001020304050607080910111213141516171819202122232425262728293031323334353637383940414243444546474849"u8 +
        "5051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"u8;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteTwo(Span<byte> destination, int at, int value)
    {
        int pair = value * 2;
        destination[at] = TwoDigits[pair];
        destination[at + 1] = TwoDigits[pair + 1];
    }

    private static void WriteDigits(Span<byte> destination, int at, int value, int width)
    {
        int end = at + width;
        while (width >= 2)
        {
            int pair = value % 100 * 2;
            value /= 100;
            end -= 2;
            destination[end] = TwoDigits[pair];
            destination[end + 1] = TwoDigits[pair + 1];
            width -= 2;
        }

        if (width == 1)
        {
            destination[end - 1] = (byte)('0' + (value % 10));
        }
    }
}
