using System.Globalization;
using System.Text;
using Shared.Framing;
using Shared.Syslog;

namespace Shared.Tests.Transport;

/// <summary>
/// What rsyslogd 8.2302 (Debian defaults) writes for one of our messages through
/// <see cref="TestSupport.RsyslogProcess.FieldsTemplate"/>, worked out by hand from the message model and checked
/// against the real daemon:
/// <list type="bullet">
/// <item>PRI, version, HOSTNAME, APP-NAME, PROCID, MSGID exactly as sent; NILVALUE stays <c>-</c>.</item>
/// <item>TIMESTAMP as sent, character for character (<c>date-rfc3339</c> keeps the fraction digits and the
/// <c>Z</c> or <c>±hh:mm</c> it received).</item>
/// <item>STRUCTURED-DATA verbatim, escapes (<c>\"</c> <c>\\</c> <c>\]</c>) included; <c>-</c> when absent.</item>
/// <item>MSG exactly the bytes after the SP that follows the SD: no leading space is added or removed, a BOM stays,
/// UTF-8, DEL (0x7F) and C1 characters pass unchanged.</item>
/// <item>On receipt (before parsing) one trailing LF of the message is dropped
/// (<c>parser.dropTrailingLFOnReception</c>), then every byte below 0x20 anywhere in the message, SD values
/// included, becomes <c>#</c> and three octal digits (<c>parser.escapeControlCharactersOnReceive</c>): TAB
/// <c>#011</c>, LF <c>#012</c>, CR <c>#015</c>. Under LF framing our FrameWriter has already written each LF as
/// <c>#012</c>, so a trailing LF shows as <c>#012</c> there and is dropped under octet counting and UDP. A literal
/// <c>#012</c> in the text is indistinguishable from an escaped LF.</item>
/// </list>
/// </summary>
internal static class RsyslogRendering
{
    /// <summary>
    /// The expected line; UDP behaves as <see cref="SyslogFraming.OctetCounting"/> (the datagram is the message).
    /// </summary>
    public static string Line(SyslogMessage message, SyslogFraming framing)
    {
        string[] fields =
        [
            message.Priority.Value.ToString(CultureInfo.InvariantCulture),
            "1",
            message.Timestamp.ToString(),
            message.HostName ?? "-",
            message.AppName ?? "-",
            message.ProcId ?? "-",
            message.MsgId ?? "-",
            Escape(StructuredData(message)),
            Escape(Msg(message, framing)),
        ];
        return string.Join('\t', fields);
    }

    private static string StructuredData(SyslogMessage message)
    {
        if (message.StructuredData.Count == 0)
        {
            return "-";
        }

        var text = new StringBuilder();
        foreach (var element in message.StructuredData)
        {
            text.Append('[').Append(element.Id);
            foreach (var (name, value) in element.Parameters)
            {
                text.Append(' ').Append(name).Append("=\"")
                    .Append(value
                        .Replace("\\", "\\\\", StringComparison.Ordinal)
                        .Replace("\"", "\\\"", StringComparison.Ordinal)
                        .Replace("]", "\\]", StringComparison.Ordinal))
                    .Append('"');
            }

            text.Append(']');
        }

        return text.ToString();
    }

    private static string Msg(SyslogMessage message, SyslogFraming framing)
    {
        string msg = (message.HasBom ? "\uFEFF" : string.Empty) + message.MessageText;
        return framing == SyslogFraming.OctetCounting && msg.EndsWith('\n') ? msg[..^1] : msg;
    }

    private static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            if (c < 0x20)
            {
                escaped.Append('#').Append(Convert.ToString(c, 8).PadLeft(3, '0'));
            }
            else
            {
                escaped.Append(c);
            }
        }

        return escaped.ToString();
    }
}
