using System.Text;
using Shared.Syslog;

namespace Forwarder.Enrichment;

/// <summary>
/// Header fields and SD-NAMEs encoded once per file, made valid the way <see cref="Rfc5424Writer"/> makes them.
/// </summary>
internal static class HeaderField
{
    private const byte Replacement = (byte)'_';

    /// <summary>
    /// PRINTUSASCII (§6: 33–126) cut to <paramref name="maxLength"/>, other characters as '_', empty as NILVALUE.
    /// </summary>
    public static byte[] Encode(string value, int maxLength)
    {
        if (value.Length == 0)
        {
            return "-"u8.ToArray();
        }

        var bytes = new byte[Math.Min(value.Length, maxLength)];
        for (int i = 0; i < bytes.Length; i++)
        {
            char c = value[i];
            bytes[i] = c is >= (char)33 and <= (char)126 ? (byte)c : Replacement;
        }

        return bytes;
    }

    /// <summary>SD-NAME (§6.3.2): PRINTUSASCII except '=', SP, ']', '"', at most 32.</summary>
    public static byte[] EncodeSdName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var bytes = Encode(name, 32);
        for (int i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] is (byte)'=' or (byte)']' or (byte)'"')
            {
                bytes[i] = Replacement;
            }
        }

        return bytes;
    }

    /// <summary>Appends <c> name="value"</c> with the value escaped as PARAM-VALUE (§6.3.3).</summary>
    public static void AppendParameter(List<byte> destination, string name, string value)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(value);
        var escaped = new byte[StructuredDataValue.MaxEscapedLength(utf8.Length)];
        int length = StructuredDataValue.Escape(utf8, escaped);
        destination.Add((byte)' ');
        destination.AddRange(Encoding.ASCII.GetBytes(name));
        destination.AddRange("=\""u8);
        destination.AddRange(escaped.AsSpan(0, length));
        destination.Add((byte)'"');
    }
}
