using Shared.Syslog;

namespace Forwarder.Enrichment;

/// <summary>A container runtime's RFC 3339 time rewritten as RFC 5424 §6.2.3 allows it.</summary>
internal static class RuntimeTimestamp
{
    /// <summary>
    /// Writes <paramref name="time"/> with its fraction cut (not rounded: the message must not move into the next
    /// second) to at most 6 digits (§6.2.3.1; runtimes write 9), its offset kept and 'T'/'Z' upper case (§6.2.3).
    /// Returns the length written, or -1 when <paramref name="time"/> is not a valid RFC 3339 timestamp.
    /// <paramref name="destination"/> needs <paramref name="time"/>'s length.
    /// </summary>
    public static int TryWrite(ReadOnlySpan<byte> time, Span<byte> destination)
    {
        if (time.Length < 20 || Rfc3339.TryParse(time, out _, out int consumed) != SyslogParseErrorCode.None || consumed != time.Length)
        {
            return -1;
        }

        time[..19].CopyTo(destination);
        destination[10] = (byte)'T';
        int pos = 19;
        var rest = time[19..];
        if (rest[0] == '.')
        {
            int digits = rest[1..].IndexOfAnyExceptInRange((byte)'0', (byte)'9');
            int kept = Math.Min(digits, SyslogTimestamp.MaxFractionDigits);
            rest[..(1 + kept)].CopyTo(destination[pos..]);
            pos += 1 + kept;
            rest = rest[(1 + digits)..];
        }

        if ((rest[0] | 0x20) == 'z')
        {
            destination[pos] = (byte)'Z';
            return pos + 1;
        }

        rest.CopyTo(destination[pos..]);
        return pos + rest.Length;
    }
}
