namespace Forwarder.Parsing;

/// <summary>
/// One line of the CRI log format (containerd, CRI-O): <c>TIME SP STREAM SP TAGS [SP CONTENT]</c>, e.g.
/// <c>2026-01-01T00:00:00.000000001Z stdout F hello</c>. TAGS is <c>P</c> (partial) or <c>F</c> (full), possibly
/// followed by more tags after <c>:</c>, which are ignored.
/// </summary>
internal readonly ref struct CriLine
{
    public ReadOnlySpan<byte> Time { get; init; }

    public LogStream Stream { get; init; }

    /// <summary>The tag was <c>P</c>: more of this message follows on a later line of the same stream.</summary>
    public bool IsPartial { get; init; }

    public ReadOnlySpan<byte> Content { get; init; }

    public static bool TryParse(ReadOnlySpan<byte> line, out CriLine parsed)
    {
        parsed = default;
        int space = line.IndexOf((byte)' ');
        if (space < 0 || !LooksLikeTime(line[..space]))
        {
            return false;
        }

        var rest = line[(space + 1)..];
        LogStream stream;
        if (rest.StartsWith("stdout "u8))
        {
            stream = LogStream.Stdout;
        }
        else if (rest.StartsWith("stderr "u8))
        {
            stream = LogStream.Stderr;
        }
        else
        {
            return false;
        }

        rest = rest[7..];
        int end = rest.IndexOf((byte)' ');
        var tags = end < 0 ? rest : rest[..end];
        int colon = tags.IndexOf((byte)':');
        var first = colon < 0 ? tags : tags[..colon];
        if (first.Length != 1 || (first[0] != 'P' && first[0] != 'F'))
        {
            return false;
        }

        parsed = new CriLine
        {
            Time = line[..space],
            Stream = stream,
            IsPartial = first[0] == 'P',
            Content = end < 0 ? default : rest[(end + 1)..],
        };
        return true;
    }

    /// <summary>
    /// The fixed positions of <c>YYYY-MM-DDThh:mm:ss</c>: enough to tell a CRI line from text. The encoder validates
    /// the time fully and falls back to the time of reading.
    /// </summary>
    private static bool LooksLikeTime(ReadOnlySpan<byte> time) =>
        time.Length >= 20 && time[4] == '-' && time[7] == '-' && (time[10] | 0x20) == 't' && time[13] == ':' && time[16] == ':'
        && IsDigit(time[0]) && IsDigit(time[3]) && IsDigit(time[5]) && IsDigit(time[9]) && IsDigit(time[12]) && IsDigit(time[18]);

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;
}
