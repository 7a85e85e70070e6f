namespace Forwarder.Parsing;

/// <summary>Cutting UTF-8 text without leaving half a character at the end.</summary>
internal static class Utf8Tail
{
    /// <summary>
    /// <paramref name="text"/> cut to at most <paramref name="maxLength"/> bytes, shortened further so that it does not
    /// end inside a multi-byte sequence (a receiver would show U+FFFD for the stump). Bytes that were not valid UTF-8
    /// before the cut are left alone.
    /// </summary>
    public static ReadOnlySpan<byte> Cut(ReadOnlySpan<byte> text, int maxLength)
    {
        if (text.Length <= maxLength)
        {
            return text;
        }

        return text[..CompleteLength(text, maxLength)];
    }

    /// <summary>The largest length ≤ <paramref name="length"/> that does not split the sequence crossing it.</summary>
    public static int CompleteLength(ReadOnlySpan<byte> text, int length)
    {
        // Walk back over at most three continuation bytes (10xxxxxx) to the lead byte of the last sequence.
        int lead = length - 1;
        int stop = Math.Max(0, length - 4);
        while (lead >= stop && (text[lead] & 0xC0) == 0x80)
        {
            lead--;
        }

        if (lead < stop)
        {
            return length;
        }

        byte b = text[lead];
        int needed = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
        return lead + needed > length ? lead : length;
    }
}
