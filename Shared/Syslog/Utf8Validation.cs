using System.Buffers;
using System.Text.Unicode;

namespace Shared.Syslog;

internal static class Utf8Validation
{
    /// <summary>
    /// Offset of the first byte that is not part of valid UTF-8, or -1. Vectorised for the common valid case.
    /// </summary>
    public static int IndexOfInvalid(ReadOnlySpan<byte> text)
    {
        if (Utf8.IsValid(text))
        {
            return -1;
        }

        int pos = 0;
        while (pos < text.Length)
        {
            if (System.Text.Rune.DecodeFromUtf8(text[pos..], out _, out int consumed) != OperationStatus.Done)
            {
                return pos;
            }

            pos += consumed;
        }

        return -1;
    }
}
