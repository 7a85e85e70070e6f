using System.Buffers;
using System.Text;
using Shared.Syslog;

namespace Shared.Tests.Syslog;

/// <summary>
/// SD validation reads 16 bytes at a time while the frame has them and byte by byte near its end. These cases put
/// names, escapes and closing quotes at every offset around a 16-byte boundary and at the frame's end, and compare
/// the parser with a byte-by-byte reading of the same grammar (RFC 5424 §6.3).
/// </summary>
public class StructuredDataAlignmentTests
{
    public static TheoryData<string> Elements()
    {
        var data = new TheoryData<string>();
        string[] values =
        [
            "", "a", "\\\"", "\\\\", "\\]", "x\\\"y\\\\z",
            new string('v', 15) + "\\\"", new string('v', 16) + "\\\\", new string('v', 31) + "\\]", "\\", "a\\",
        ];
        foreach (string value in values)
        {
            foreach (int nameLength in new[] { 1, 15, 16, 17, 31, 32, 33 })
            {
                data.Add($"[id@1 {new string('n', nameLength)}=\"{value}\"]");
            }
        }

        data.Add("[" + new string('i', 32) + "]");
        data.Add("[" + new string('i', 33) + "]");
        data.Add("[" + new string('i', 40) + " a=\"1\"]");
        data.Add("[id@1 a=\"1\"][id@2 b=\"2\" c=\"\\\"\"]");
        data.Add("[id@1 a=\"unterminated]");
        data.Add("[id@1 a=\"1\" ]");
        data.Add("[id@1 a\u00e9=\"1\"]");
        data.Add("[id@1 a=\"caf\u00e9 \u65e5\u672c\"]");
        data.Add("[id@1 a=1]");
        return data;
    }

    [Theory]
    [MemberData(nameof(Elements))]
    public void ParserAgreesWithAByteByByteReadingAtEveryAlignment(string element)
    {
        foreach (string message in new[] { string.Empty, " " + new string('m', 40) })
        {
            for (int padding = 0; padding < 20; padding++)
            {
                string text = $"<14>1 - {new string('h', padding + 1)} - - - {element}{message}";
                byte[] frame = Encoding.UTF8.GetBytes(text);
                int sdStart = frame.AsSpan().IndexOf((byte)'[');

                bool expectValid = ReferenceValidate(frame, sdStart, out int sdEnd);
                var status = Rfc5424Parser.TryParse(frame, out var header, out var error);

                bool validMessage = expectValid && (sdEnd == frame.Length || frame[sdEnd] == ' ');
                Assert.True(validMessage == (status == OperationStatus.Done), $"{text}: parser said {status} {error}, reference {validMessage}");
                if (validMessage)
                {
                    Assert.Equal(FieldRange.FromBounds(sdStart, sdEnd), header.StructuredData);
                }
            }
        }
    }

    [Fact]
    public void ReaderReturnsEscapedValuesThatEndAtEveryAlignment()
    {
        for (int length = 0; length < 40; length++)
        {
            string value = new string('v', length) + "\\\"\\\\\\]";
            byte[] frame = Encoding.UTF8.GetBytes($"<14>1 - h - - - [id@1 a=\"{value}\" b=\"x\"] msg");
            Assert.Equal(OperationStatus.Done, Rfc5424Parser.TryParse(frame, out var header, out _));
            var reader = new StructuredDataReader(header.StructuredData.Slice(frame));
            Assert.True(reader.ReadElement(out _));
            Assert.True(reader.ReadParameter(out _, out var read));
            Assert.Equal(value, Encoding.UTF8.GetString(read));
            Assert.True(reader.ReadParameter(out _, out var second));
            Assert.Equal("x", Encoding.UTF8.GetString(second));
        }
    }

    // The SD grammar read one byte at a time, as the first version of the parser did.
    private static bool ReferenceValidate(byte[] frame, int pos, out int end)
    {
        end = pos;
        while (pos < frame.Length && frame[pos] == '[')
        {
            pos++;
            if (!ReferenceName(frame, ref pos))
            {
                return false;
            }

            while (true)
            {
                if (pos >= frame.Length)
                {
                    return false;
                }

                if (frame[pos] == ']')
                {
                    pos++;
                    break;
                }

                if (frame[pos++] != ' ' || !ReferenceName(frame, ref pos)
                    || pos + 1 >= frame.Length || frame[pos] != '=' || frame[pos + 1] != '"')
                {
                    return false;
                }

                pos += 2;
                while (pos < frame.Length && frame[pos] != '"')
                {
                    pos += frame[pos] == '\\' ? 2 : 1;
                }

                if (pos >= frame.Length)
                {
                    return false;
                }

                pos++;
            }
        }

        end = pos;
        return IsUtf8(frame.AsSpan(0, pos));
    }

    private static bool ReferenceName(byte[] frame, ref int pos)
    {
        int start = pos;
        while (pos < frame.Length && frame[pos] is >= 33 and <= 126 and not (byte)'=' and not (byte)']' and not (byte)'"')
        {
            pos++;
        }

        return pos - start is >= 1 and <= 32;
    }

    private static bool IsUtf8(ReadOnlySpan<byte> bytes) => System.Text.Unicode.Utf8.IsValid(bytes);
}
