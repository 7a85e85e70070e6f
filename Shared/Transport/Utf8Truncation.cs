namespace Shared.Transport;

/// <summary>Cuts UTF-8 text to a byte budget without splitting a character.</summary>
internal static class Utf8Truncation
{
    /// <summary>
    /// The longest prefix of <paramref name="utf8"/> of at most <paramref name="maxBytes"/> bytes that ends on a
    /// character boundary: the cut moves back over continuation bytes (10xxxxxx) to the lead byte of the split
    /// character, at most 3 bytes, which is all a valid sequence has. Invalid UTF-8 is cut at
    /// <paramref name="maxBytes"/>.
    /// </summary>
    public static int FitLength(ReadOnlySpan<byte> utf8, int maxBytes)
    {
        if (utf8.Length <= maxBytes)
        {
            return utf8.Length;
        }

        for (int cut = maxBytes; cut > 0 && cut > maxBytes - 4; cut--)
        {
            if (!IsContinuation(utf8[cut]))
            {
                return cut;
            }
        }

        return maxBytes;
    }

    private static bool IsContinuation(byte value) => (value & 0xC0) == 0x80;
}
