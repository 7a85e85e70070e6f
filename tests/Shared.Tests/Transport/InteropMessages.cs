using System.Text;
using Shared.Syslog;

namespace Shared.Tests.Transport;

/// <summary>
/// Seeded random RFC 5424 messages for the interop tests: header fields of any PRINTUSASCII up to their RFC lengths
/// (sometimes NILVALUE), SD elements whose values need escaping and hold UTF-8 and control characters, and MSG
/// bodies with UTF-8, a BOM, embedded and trailing LF, TAB, CR, DEL and C1 characters.
/// </summary>
internal static class InteropMessages
{
    private static readonly string[] BodyPieces =
    [
        "hello", "world", " ", " ", "ünïcödé", "中文日志", "😀", "|", "#", "#012", "%msg%", "\\", "\"", "]", "[", "=",
        "\t", "\n", "\r", "\u0085", "\u007f", "\u0001", "pod=web-7d9f", "{\"level\":\"info\"}",
    ];

    private static readonly string[] ValuePieces = ["a", "b c", "\"", "\\", "]", "ü", "😀", "\t", "\n", "=", "[", "value"];

    private static readonly TimeSpan[] Offsets =
        [TimeSpan.Zero, TimeSpan.FromHours(2), TimeSpan.FromHours(-5.5), TimeSpan.FromHours(14), TimeSpan.FromHours(-12), TimeSpan.FromMinutes(345)];

    public static List<SyslogMessage> Generate(int count, int seed, int maxBodyBytes = 16 * 1024)
    {
        var random = new Random(seed);
        var messages = new List<SyslogMessage>(count);
        for (int i = 0; i < count; i++)
        {
            messages.Add(Generate(random, i, maxBodyBytes));
        }

        return messages;
    }

    public static byte[] ToBytes(SyslogMessage message)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        Rfc5424Writer.Write(buffer, message);
        return buffer.WrittenSpan.ToArray();
    }

    private static SyslogMessage Generate(Random random, int index, int maxBodyBytes)
    {
        var offset = Offsets[random.Next(Offsets.Length)];
        var instant = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(random.NextInt64(TimeSpan.TicksPerDay * 3650));
        bool hasMessage = random.Next(20) != 0;
        return new SyslogMessage
        {
            Priority = SyslogPriority.FromValue(random.Next(SyslogPriority.MaxValue + 1)),
            Timestamp = new SyslogTimestamp(instant.ToOffset(offset), random.Next(SyslogTimestamp.MaxFractionDigits + 1)),
            HostName = Field(random, Rfc5424Writer.MaxHostNameLength),
            AppName = Field(random, Rfc5424Writer.MaxAppNameLength),
            ProcId = Field(random, Rfc5424Writer.MaxProcIdLength),

            // MSGID carries the index, so a line that went missing or out of order is named in the failure.
            MsgId = $"m{index}",
            StructuredData = Enumerable.Range(0, random.Next(4)).Select(_ => Element(random)).ToList(),
            HasMessage = hasMessage,
            HasBom = hasMessage && random.Next(10) == 0,
            Message = hasMessage ? Encoding.UTF8.GetBytes(Body(random, maxBodyBytes)) : ReadOnlyMemory<byte>.Empty,
        };
    }

    private static string? Field(Random random, int maxLength)
    {
        if (random.Next(8) == 0)
        {
            return null;
        }

        // Mostly short, sometimes the RFC maximum.
        int length = random.Next(10) == 0 ? maxLength : random.Next(1, Math.Min(maxLength, 24) + 1);
        return new string(Enumerable.Range(0, length).Select(_ => (char)random.Next(33, 127)).ToArray());
    }

    private static StructuredDataElement Element(Random random)
    {
        var parameters = Enumerable.Range(0, random.Next(1, 5))
            .Select(_ => (
                SdName(random),
                string.Concat(Enumerable.Range(0, random.Next(0, 6))
                    .Select(_ => ValuePieces[random.Next(ValuePieces.Length)]))))
            .ToArray();
        return new StructuredDataElement(SdName(random) + "@" + random.Next(1, 65536), parameters);
    }

    /// <summary>
    /// RFC 5424 SD-NAME: 1–32 PRINTUSASCII except '=', SP, ']' and '"'; '@' only in the SD-ID's suffix.
    /// </summary>
    private static string SdName(Random random)
    {
        const string Allowed = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:/!#$%&'()*+,;<>?[\\^`{|}~";
        return new string(Enumerable.Range(0, random.Next(1, 21)).Select(_ => Allowed[random.Next(Allowed.Length)]).ToArray());
    }

    private static string Body(Random random, int maxBodyBytes)
    {
        var body = new StringBuilder();
        int pieces = random.Next(20) == 0 ? 2000 : random.Next(0, 30);
        for (int i = 0; i < pieces && Encoding.UTF8.GetByteCount(body.ToString()) < maxBodyBytes - 8; i++)
        {
            body.Append(BodyPieces[random.Next(BodyPieces.Length)]);
        }

        return body.ToString();
    }
}
