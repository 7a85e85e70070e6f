namespace Shared.Syslog;

/// <summary>
/// The RFC 3164 §4.1.2 TIMESTAMP <c>Mmm dd hh:mm:ss</c>, which has no year, no offset and no fraction.
/// Read the way rsyslog's <c>ParseTIMESTAMP3164</c> reads it: the day may be <c>" 2"</c>, <c>"02"</c> or
/// <c>"2"</c>, and the month name is matched without regard to case.
/// </summary>
public static class BsdTimestamp
{
    /// <summary>Longest text <see cref="Write"/> produces.</summary>
    public const int Length = 15;

    /// <summary>A sender's clock may run this far ahead of ours before its date is taken as last year's.</summary>
    public static readonly TimeSpan ClockSkewTolerance = TimeSpan.FromDays(1);

    /// <summary>
    /// Reads a timestamp at the start of <paramref name="text"/> and returns its length, or -1. The sender's offset is
    /// <paramref name="now"/>'s (RFC 3164 §4.1.2: local time of the sender); the year is the latest one that puts the
    /// date no more than <see cref="ClockSkewTolerance"/> after <paramref name="now"/>.
    /// </summary>
    public static int TryParse(ReadOnlySpan<byte> text, DateTimeOffset now, out SyslogTimestamp timestamp)
    {
        timestamp = default;
        if (text.Length < 14)
        {
            return -1;
        }

        int month = Month(text);
        if (month == 0 || text[3] != ' ')
        {
            return -1;
        }

        // Day: " 2" (RFC 3164 pads with a space), "02", or a bare "2" as some senders write it.
        int day;
        int pos;
        if (text[4] == ' ' && IsDigit(text[5]))
        {
            day = text[5] - '0';
            pos = 6;
        }
        else if (IsDigit(text[4]) && IsDigit(text[5]))
        {
            day = ((text[4] - '0') * 10) + (text[5] - '0');
            pos = 6;
        }
        else if (IsDigit(text[4]) && text[5] == ' ')
        {
            day = text[4] - '0';
            pos = 5;
        }
        else
        {
            return -1;
        }

        if (text.Length < pos + 9 || text[pos] != ' ' || text[pos + 3] != ':' || text[pos + 6] != ':')
        {
            return -1;
        }

        int hour = Digits2(text, pos + 1);
        int minute = Digits2(text, pos + 4);
        int second = Digits2(text, pos + 7);

        // A leap second (60) cannot be represented by DateTimeOffset; like 24:00 it is not a timestamp here.
        if (day is 0 or > 31 || hour is < 0 or > 23 || minute is < 0 or > 59 || second is < 0 or > 59)
        {
            return -1;
        }

        var timeOfDay = new TimeSpan(hour, minute, second);
        if (!TryInferYear(month, day, timeOfDay, now, out var local))
        {
            return -1;
        }

        timestamp = new SyslogTimestamp(new DateTimeOffset(local, now.Offset), fractionDigits: 0);
        return pos + 9;
    }

    /// <summary>
    /// Picks the latest year (from next year back) in which <paramref name="month"/>/<paramref name="day"/> exists and
    /// is not more than the skew tolerance after <paramref name="now"/>: a December message read in January is last
    /// year's, a message a few seconds ahead stays in this year, and a January message read on 31 December a few
    /// seconds before midnight is next year's. 29 February goes back to the last leap year (at most 8 years).
    /// </summary>
    private static bool TryInferYear(int month, int day, TimeSpan timeOfDay, DateTimeOffset now, out DateTime local)
    {
        long latest = now.DateTime.Ticks + ClockSkewTolerance.Ticks;

        // Years 2–9998 keep every offset's UTC instant inside DateTimeOffset's range, so nothing below can throw.
        int first = Math.Min(now.Year + 1, 9998);
        int last = Math.Max(now.Year - 8, 2);
        for (int year = first; year >= last; year--)
        {
            if (day > DateTime.DaysInMonth(year, month))
            {
                continue;
            }

            local = new DateTime(year, month, day).Add(timeOfDay);
            if (local.Ticks <= latest)
            {
                return true;
            }
        }

        local = default;
        return false;
    }

    // Three letters, case-insensitive: OR-ing 0x20 maps exactly 'A'–'Z' and 'a'–'z' onto the lower-case letters.
    private static int Month(ReadOnlySpan<byte> text) =>
        (text[0] | 0x20, text[1] | 0x20, text[2] | 0x20) switch
        {
            ('j', 'a', 'n') => 1,
            ('f', 'e', 'b') => 2,
            ('m', 'a', 'r') => 3,
            ('a', 'p', 'r') => 4,
            ('m', 'a', 'y') => 5,
            ('j', 'u', 'n') => 6,
            ('j', 'u', 'l') => 7,
            ('a', 'u', 'g') => 8,
            ('s', 'e', 'p') => 9,
            ('o', 'c', 't') => 10,
            ('n', 'o', 'v') => 11,
            ('d', 'e', 'c') => 12,
            _ => 0,
        };

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    private static int Digits2(ReadOnlySpan<byte> text, int at)
    {
        uint d0 = (uint)(text[at] - '0');
        uint d1 = (uint)(text[at + 1] - '0');
        return d0 <= 9 && d1 <= 9 ? (int)((d0 * 10) + d1) : -1;
    }

    /// <summary>
    /// Writes <c>Mmm dd hh:mm:ss</c> (rsyslog's %TIMESTAMP%: the day padded with a space) in <paramref name="time"/>'s
    /// offset; returns 15.
    /// </summary>
    public static int Write(Span<byte> destination, DateTimeOffset time)
    {
        var months = "JanFebMarAprMayJunJulAugSepOctNovDec"u8;
        var t = time.DateTime;
        var d = destination[..Length];
        months.Slice((t.Month - 1) * 3, 3).CopyTo(d);
        d[3] = (byte)' ';
        d[4] = t.Day < 10 ? (byte)' ' : (byte)('0' + (t.Day / 10));
        d[5] = (byte)('0' + (t.Day % 10));
        d[6] = (byte)' ';
        WriteTwo(d[7..], t.Hour);
        d[9] = (byte)':';
        WriteTwo(d[10..], t.Minute);
        d[12] = (byte)':';
        WriteTwo(d[13..], t.Second);
        return Length;

        static void WriteTwo(Span<byte> d, int value)
        {
            d[0] = (byte)('0' + (value / 10));
            d[1] = (byte)('0' + (value % 10));
        }
    }
}
