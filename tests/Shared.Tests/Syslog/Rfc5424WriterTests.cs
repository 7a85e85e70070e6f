using System.Buffers;
using System.Text;
using Shared.Syslog;
using static Shared.Tests.Syslog.SyslogTestFrames;

namespace Shared.Tests.Syslog;

public class Rfc5424WriterTests
{
    private static readonly SyslogPriority UserNotice = new(Facility.User, Severity.Notice);
    private static readonly SyslogTimestamp RfcInstant = new(new DateTimeOffset(2003, 10, 11, 22, 14, 15, 3, TimeSpan.Zero), 3);

    [Fact]
    public void WritesRfcExample1WithItsBom()
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new Rfc5424Writer(output);

        writer.WriteHeader(new SyslogPriority(Facility.Auth, Severity.Critical), RfcInstant, "mymachine.example.com", "su", "", "ID47");
        writer.WriteMessage("'su root' failed for lonvick on /dev/pts/8"u8, bom: true);

        Assert.Equal(RfcExample1, Latin1(output));
    }

    [Fact]
    public void WritesRfcExample2WithMicrosecondsAndANegativeOffset()
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new Rfc5424Writer(output);
        var timestamp = new SyslogTimestamp(new DateTimeOffset(2003, 8, 24, 5, 14, 15, TimeSpan.FromHours(-7)).AddTicks(30), 6);

        writer.WriteHeader(new SyslogPriority(Facility.Local4, Severity.Notice), timestamp, "192.0.2.1", "myproc", "8710", "");
        writer.WriteMessage("%% It's time to make the do-nuts."u8);

        Assert.Equal(RfcExample2, Latin1(output));
    }

    [Fact]
    public void WritesRfcExample3WithAnElementAndABomMessage()
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new Rfc5424Writer(output);

        writer.WriteHeader(new SyslogPriority(Facility.Local4, Severity.Notice), RfcInstant, "mymachine.example.com", "evntslog", "", "ID47");
        writer.StartElement("exampleSDID@32473");
        writer.WriteParameter("iut", "3");
        writer.WriteParameter("eventSource", "Application"u8);
        writer.WriteParameter("eventID", "1011");
        writer.EndElement();
        writer.WriteMessage("An application event log entry...", bom: true);

        Assert.Equal(RfcExample3, Latin1(output));
    }

    [Fact]
    public void WritesRfcExample4WithTwoElementsAndNoMessage()
    {
        var message = new SyslogMessage
        {
            Priority = new SyslogPriority(Facility.Local4, Severity.Notice),
            Timestamp = RfcInstant,
            HostName = "mymachine.example.com",
            AppName = "evntslog",
            MsgId = "ID47",
            StructuredData =
            [
                new StructuredDataElement("exampleSDID@32473", ("iut", "3"), ("eventSource", "Application"), ("eventID", "1011")),
                new StructuredDataElement("examplePriority@32473", ("class", "high")),
            ],
        };
        var output = new ArrayBufferWriter<byte>();

        Rfc5424Writer.Write(output, message);

        Assert.Equal(RfcExample4, Latin1(output));
        Assert.Equal(RfcExample4, message.ToString());
    }

    [Fact]
    public void WritesTheCapturedLoggerFramesWithEscapesAndUtf8ExceptThatUtcIsZ()
    {
        // logger writes "+00:00"; the writer writes "Z" for a zero offset (RFC 3339 §4.3: both mean UTC).
        var message = new SyslogMessage
        {
            Priority = new SyslogPriority(Facility.User, Severity.Notice),
            Timestamp = new SyslogTimestamp(new DateTimeOffset(2026, 11, 22, 4, 46, 8, TimeSpan.Zero).AddTicks(5_208_980), 6),
            HostName = "vm",
            AppName = "myapp",
            StructuredData = [new("timeQuality", ("tzKnown", "1"), ("isSynced", "0")), new("x@1", ("k", "a\"b\\c]d"))],
            Message = "escaped sd"u8.ToArray(),
            HasMessage = true,
        };
        var output = new ArrayBufferWriter<byte>();

        Rfc5424Writer.Write(output, message);

        Assert.Equal(Latin1(OctetCounted(LoggerEscapedSd)).Replace("+00:00", "Z", StringComparison.Ordinal), Latin1(output));
    }

    [Fact]
    public void WritesNilValueForEveryEmptyField()
    {
        Assert.Equal("<13>1 - - - - - -", HeaderOnly("", "", "", ""));
    }

    [Fact]
    public void WritesNilValueForNullFieldsOfAMessage()
    {
        Assert.Equal("<13>1 - - - - - -", new SyslogMessage().ToString());
    }

    [Fact]
    public void WritesNilValueForEmptyByteFields()
    {
        Assert.Equal("<13>1 - - app - - -", HeaderOnly(""u8, "app"u8, ""u8, ""u8));
    }

    [Theory]
    [InlineData(0, "<0>1 ")]
    [InlineData(9, "<9>1 ")]
    [InlineData(10, "<10>1 ")]
    [InlineData(99, "<99>1 ")]
    [InlineData(100, "<100>1 ")]
    [InlineData(165, "<165>1 ")]
    [InlineData(191, "<191>1 ")]
    public void WritesPriorityWithoutLeadingZeros(int value, string expectedStart)
    {
        Assert.Equal(expectedStart + "- - - - - -", HeaderOnly("", "", "", "", SyslogPriority.FromValue(value)));
    }

    [Fact]
    public void ReplacesHeaderCharactersOutsidePrintableAsciiWithUnderscores()
    {
        // A surrogate pair is two UTF-16 chars, so two replacements.
        Assert.Equal("<13>1 - my_host app___ 1_2_ id_~! -", HeaderOnly("my host", "app\u00E9\U0001F600", "1\t2\0", "id\u007F~!"));
    }

    [Fact]
    public void ReplacesHeaderBytesOutsidePrintableAsciiWithUnderscores()
    {
        Assert.Equal("<13>1 - h__ a_b 1___ !~ -", HeaderOnly("h\u00E9"u8, "a b"u8, [0x31, 0x00, 0x80, 0xFF], "!~"u8));
    }

    [Fact]
    public void CutsTextHeaderFieldsToTheirRfcLengths()
    {
        Assert.Equal(
            $"<13>1 - {new string('h', 255)} {new string('a', 48)} {new string('_', 128)} {new string('m', 32)} -",
            HeaderOnly(new string('h', 300), new string('a', 49), new string('\u00E9', 200), new string('m', 33)));
    }

    [Fact]
    public void CutsByteHeaderFieldsToTheirRfcLengths()
    {
        Assert.Equal(
            $"<13>1 - {new string('h', 255)} {new string('a', 48)} {new string('p', 128)} {new string('_', 32)} -",
            HeaderOnly(Filled('h', 256), Filled('a', 100), Filled('p', 129), Filled(' ', 40)));
    }

    [Fact]
    public void AFieldAtItsMaximumLengthIsWrittenWhole()
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new Rfc5424Writer(output);

        writer.WriteHeader(UserNotice, SyslogTimestamp.Nil, new string('h', 255), new string('a', 48), new string('p', 128), new string('m', 32));
        writer.Complete();

        Assert.Equal(8 + 255 + 1 + 48 + 1 + 128 + 1 + 32 + 2, output.WrittenCount);
    }

    [Fact]
    public void SanitisesSdNames()
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new Rfc5424Writer(output);

        writer.WriteHeader(UserNotice, SyslogTimestamp.Nil, "", "", "", "");
        writer.StartElement("my id=\"x\"]\u00E9@1");
        writer.WriteParameter("a b=c", "v");
        writer.WriteParameter("k\u0000\t", "v"u8);
        writer.EndElement();
        writer.Complete();

        Assert.Equal("<13>1 - - - - - [my_id__x___@1 a_b_c=\"v\" k__=\"v\"]", Latin1(output));
    }

    [Fact]
    public void CutsSdNamesTo32Characters()
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new Rfc5424Writer(output);

        writer.WriteHeader(UserNotice, SyslogTimestamp.Nil, "", "", "", "");
        writer.StartElement(new string('i', 40));
        writer.WriteParameter(new string('p', 33), "v");
        writer.EndElement();
        writer.Complete();

        Assert.Equal($"<13>1 - - - - - [{new string('i', 32)} {new string('p', 32)}=\"v\"]", Latin1(output));
    }

    [Fact]
    public void RejectsAnEmptySdIdWithoutWritingAnything()
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new Rfc5424Writer(output);
        writer.WriteHeader(UserNotice, SyslogTimestamp.Nil, "", "", "", "");
        int before = output.WrittenCount;

        try
        {
            writer.StartElement("");
            Assert.Fail("expected ArgumentException");
        }
        catch (ArgumentException)
        {
        }

        Assert.Equal(before, output.WrittenCount);
        writer.StartElement("a");
        writer.EndElement();
        writer.Complete();
        Assert.Equal("<13>1 - - - - - [a]", Latin1(output));
    }

    [Fact]
    public void RejectsAnEmptyParamNameWithoutWritingAnything()
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new Rfc5424Writer(output);
        writer.WriteHeader(UserNotice, SyslogTimestamp.Nil, "", "", "", "");
        writer.StartElement("a");

        try
        {
            writer.WriteParameter("", "v");
            Assert.Fail("expected ArgumentException");
        }
        catch (ArgumentException)
        {
        }

        writer.EndElement();
        writer.Complete();
        Assert.Equal("<13>1 - - - - - [a]", Latin1(output));
    }

    [Fact]
    public void EscapesQuoteBackslashAndBracketInTextValues()
    {
        Assert.Equal("k=\"a\\\"b\\\\c\\]d[e\"", Latin1(WriteOneParameter("a\"b\\c]d[e")));
    }

    [Fact]
    public void EscapesQuoteBackslashAndBracketInUtf8Values()
    {
        Assert.Equal("k=\"\\\"\\\\\\]\"", Latin1(WriteOneParameterUtf8("\"\\]"u8)));
    }

    [Fact]
    public void WritesAnEmptyValueAsTwoQuotes()
    {
        Assert.Equal("k=\"\"", Latin1(WriteOneParameter("")));
        Assert.Equal("k=\"\"", Latin1(WriteOneParameterUtf8([])));
    }

    [Fact]
    public void EncodesTextValuesAsUtf8IncludingSurrogatePairs()
    {
        byte[] expected = [.. "k=\""u8, 0xC3, 0xBC, 0xE2, 0x82, 0xAC, 0xF0, 0x9F, 0x98, 0x80, (byte)'"'];

        Assert.Equal(expected, WriteOneParameter("\u00FC\u20AC\U0001F600"));
    }

    [Theory]
    [InlineData(0xD83D)]
    [InlineData(0xDE00)]
    public void ReplacesALoneSurrogateWithU_FFFD(int surrogate)
    {
        // Built here: xunit would serialise a lone surrogate in InlineData text into U+FFFD before the test ran.
        string value = "a" + (char)surrogate + "b";
        byte[] expected = [.. "k=\"a"u8, 0xEF, 0xBF, 0xBD, (byte)'b', (byte)'"'];

        Assert.Equal(expected, WriteOneParameter(value));
        Assert.Equal(expected, WriteOneParameter(value, new StingyBufferWriter()));
    }

    [Fact]
    public void ReplacesInvalidUtf8InByteValuesWithU_FFFDAndStillEscapes()
    {
        byte[] expected = [.. "k=\""u8, 0xEF, 0xBF, 0xBD, (byte)'(', (byte)'\\', (byte)']', (byte)'"'];

        Assert.Equal(expected, WriteOneParameterUtf8([0xC3, (byte)'(', (byte)']']));
    }

    public static TheoryData<string> LongValues()
    {
        var data = new TheoryData<string>();
        foreach (int length in new[] { 1023, 1024, 1025, 2047, 2048, 2049, 5000 })
        {
            data.Add(new string('a', length));
        }

        const string Pair = "\U0001F600";

        // A surrogate pair straddling the 1024-char chunk boundary, then escapes right after it.
        data.Add(new string('a', 1023) + Pair + "\"]\\" + new string('b', 1500));

        // A pair ending exactly at the boundary, an escape as the first char of the next chunk.
        data.Add(new string('a', 1022) + Pair + "\"" + new string('b', 1100));

        // Escapes on both sides of the boundary.
        data.Add(new string('a', 1023) + "\\\"" + new string('b', 1100));

        // A lone high surrogate as the last char of a chunk, followed by an ordinary char.
        data.Add(new string('a', 1023) + "\uD83Dx" + new string('b', 1100));

        // A lone high surrogate as the very last char.
        data.Add(new string('a', 1500) + "\uD83D");

        // Only escapes and pairs, long enough for several chunks: the escaped form is twice the UTF-8.
        var mixed = new StringBuilder();
        for (int i = 0; i < 1200; i++)
        {
            mixed.Append(i % 3 == 0 ? Pair : i % 3 == 1 ? "]" : "\u00E9\\");
        }

        data.Add(mixed.ToString());
        return data;
    }

    [Theory]
    [MemberData(nameof(LongValues), DisableDiscoveryEnumeration = true)] // lone surrogates must not be serialised
    public void WritesLongTextValuesAcrossChunksExactly(string value)
    {
        byte[] expected = [.. "k=\""u8, .. ReferenceEscape(Encoding.UTF8.GetBytes(value)), (byte)'"'];

        Assert.Equal(expected, WriteOneParameter(value));
        Assert.Equal(expected, WriteOneParameter(value, new StingyBufferWriter()));
    }

    [Theory]
    [MemberData(nameof(LongValues), DisableDiscoveryEnumeration = true)] // lone surrogates must not be serialised
    public void WritesLongTextMessagesAcrossChunksExactly(string value)
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new Rfc5424Writer(output);

        writer.WriteHeader(UserNotice, SyslogTimestamp.Nil, "", "", "", "");
        writer.WriteMessage(value, bom: true);

        byte[] expected = [.. "<13>1 - - - - - - "u8, 0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(value)];
        Assert.Equal(expected, output.WrittenSpan.ToArray());
    }

    [Fact]
    public void WritesAUtf8MessageAfterTheBom()
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new Rfc5424Writer(output);

        writer.WriteHeader(UserNotice, SyslogTimestamp.Nil, "", "", "", "");
        writer.WriteMessage("\u00FCn\u00EF"u8, bom: true);

        Assert.Equal([.. "<13>1 - - - - - - "u8, 0xEF, 0xBB, 0xBF, 0xC3, 0xBC, (byte)'n', 0xC3, 0xAF], output.WrittenSpan.ToArray());
    }

    [Fact]
    public void ReplacesInvalidUtf8InABomMessage()
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new Rfc5424Writer(output);

        writer.WriteHeader(UserNotice, SyslogTimestamp.Nil, "", "", "", "");
        writer.WriteMessage([(byte)'a', 0xFF, (byte)'b'], bom: true);

        Assert.Equal([.. "<13>1 - - - - - - "u8, 0xEF, 0xBB, 0xBF, (byte)'a', 0xEF, 0xBF, 0xBD, (byte)'b'], output.WrittenSpan.ToArray());
    }

    [Fact]
    public void WritesAMessageWithoutBomVerbatimEvenIfNotUtf8()
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new Rfc5424Writer(output);

        writer.WriteHeader(UserNotice, SyslogTimestamp.Nil, "", "", "", "");
        writer.WriteMessage([0xFF, 0x00, (byte)'x']);

        Assert.Equal([.. "<13>1 - - - - - - "u8, 0xFF, 0x00, (byte)'x'], output.WrittenSpan.ToArray());
    }

    [Fact]
    public void AnEmptyMessageStillWritesItsSpace()
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new Rfc5424Writer(output);

        writer.WriteHeader(UserNotice, SyslogTimestamp.Nil, "", "", "", "");
        writer.WriteMessage(""u8);

        Assert.Equal("<13>1 - - - - - - ", Latin1(output));
    }

    [Fact]
    public void AMessageWithoutMsgEndsAtItsStructuredData()
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new Rfc5424Writer(output);

        writer.WriteHeader(UserNotice, SyslogTimestamp.Nil, "h", "a", "p", "m");
        writer.StartElement("x@1");
        writer.EndElement();
        writer.Complete();

        Assert.Equal("<13>1 - h a p m [x@1]", Latin1(output));
    }

    [Fact]
    public void WritesStructuredDataVerbatimAndCanContinueWithElements()
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new Rfc5424Writer(output);

        writer.WriteHeader(UserNotice, SyslogTimestamp.Nil, "", "", "", "");
        writer.WriteStructuredData("[a@1 x=\"\\]\"]"u8);
        writer.StartElement("b@1");
        writer.EndElement();
        writer.WriteMessage("m"u8);

        Assert.Equal("<13>1 - - - - - [a@1 x=\"\\]\"][b@1] m", Latin1(output));
    }

    [Fact]
    public void WritingEmptyStructuredDataVerbatimLeavesNilValue()
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new Rfc5424Writer(output);

        writer.WriteHeader(UserNotice, SyslogTimestamp.Nil, "", "", "", "");
        writer.WriteStructuredData([]);
        writer.WriteMessage("m"u8);

        Assert.Equal("<13>1 - - - - - - m", Latin1(output));
    }

    [Fact]
    public void RewritesAParsedFrameFromItsRangesByteForByte()
    {
        byte[] frame = Bytes(RfcExample3);
        var (header, _) = Rfc5424ParserTests.Parse(frame);
        var output = new ArrayBufferWriter<byte>();
        var writer = new Rfc5424Writer(output);

        writer.WriteHeader(
            header.Priority,
            header.Timestamp,
            header.HostName.Slice(frame),
            header.AppName.Slice(frame),
            header.ProcId.Slice(frame),
            header.MsgId.Slice(frame));
        writer.WriteStructuredData(header.StructuredData.Slice(frame));
        writer.WriteMessage(header.Message.Slice(frame), header.HasBom);

        Assert.Equal(frame, output.WrittenSpan.ToArray());
    }

    [Fact]
    public void GrowsABufferWriterThatStartsWithOneByte()
    {
        var message = new SyslogMessage
        {
            Timestamp = RfcInstant,
            HostName = new string('h', 255),
            AppName = "app",
            StructuredData = [new("a@1", ("k", new string('"', 3000)), ("u", "\U0001F600\u00E9"))],
            Message = Encoding.UTF8.GetBytes(new string('m', 10_000)),
            HasMessage = true,
        };
        var roomy = new ArrayBufferWriter<byte>(64 * 1024);
        var tiny = new ArrayBufferWriter<byte>(1);
        var stingy = new StingyBufferWriter();

        Rfc5424Writer.Write(roomy, message);
        Rfc5424Writer.Write(tiny, message);
        Rfc5424Writer.Write(stingy, message);

        // 3000 escaped quotes, then '" u="' + 6 UTF-8 bytes + '"]', then SP and MSG.
        string expectedStart = $"<13>1 2003-10-11T22:14:15.003Z {new string('h', 255)} app - - [a@1 k=\"";
        Assert.StartsWith(expectedStart, Latin1(roomy), StringComparison.Ordinal);
        Assert.Equal(expectedStart.Length + 6000 + 13 + 10_001, roomy.WrittenCount);
        Assert.Equal(roomy.WrittenSpan.ToArray(), tiny.WrittenSpan.ToArray());
        Assert.Equal(roomy.WrittenSpan.ToArray(), stingy.WrittenBytes);
    }

    [Theory]
    [InlineData(0, "2003-10-11T22:14:15Z")]
    [InlineData(1, "2003-10-11T22:14:15.1Z")]
    [InlineData(2, "2003-10-11T22:14:15.12Z")]
    [InlineData(3, "2003-10-11T22:14:15.123Z")]
    [InlineData(4, "2003-10-11T22:14:15.1234Z")]
    [InlineData(5, "2003-10-11T22:14:15.12345Z")]
    [InlineData(6, "2003-10-11T22:14:15.123456Z")]
    [InlineData(9, "2003-10-11T22:14:15.123456Z")]
    public void WritesTheTimestampWithItsFractionDigitsTruncatedToAtMostSix(int fractionDigits, string expected)
    {
        var value = new DateTimeOffset(2003, 10, 11, 22, 14, 15, TimeSpan.Zero).AddTicks(1_234_567);

        Assert.Equal($"<13>1 {expected} - - - - -", WriteWithTimestamp(new SyslogTimestamp(value, fractionDigits)));
    }

    [Theory]
    [InlineData(0, 0, "2003-10-11T22:14:15.050Z")]
    [InlineData(5, 30, "2003-10-11T22:14:15.050+05:30")]
    [InlineData(-7, 0, "2003-10-11T22:14:15.050-07:00")]
    [InlineData(0, -30, "2003-10-11T22:14:15.050-00:30")]
    [InlineData(14, 0, "2003-10-11T22:14:15.050+14:00")]
    [InlineData(-14, 0, "2003-10-11T22:14:15.050-14:00")]
    public void WritesTheTimestampInItsOwnOffset(int hours, int minutes, string expected)
    {
        var value = new DateTimeOffset(2003, 10, 11, 22, 14, 15, 50, new TimeSpan(hours, minutes, 0));

        Assert.Equal($"<13>1 {expected} - - - - -", WriteWithTimestamp(new SyslogTimestamp(value, 3)));
    }

    [Fact]
    public void WritesTheEarliestAndLatestTimestamps()
    {
        Assert.Equal("<13>1 0001-01-01T00:00:00Z - - - - -", WriteWithTimestamp(new SyslogTimestamp(DateTimeOffset.MinValue, 0)));
        Assert.Equal("<13>1 9999-12-31T23:59:59.999999Z - - - - -", WriteWithTimestamp(new SyslogTimestamp(DateTimeOffset.MaxValue, 6)));
    }

    [Theory]
    [InlineData("StartElementBeforeHeader")]
    [InlineData("WriteParameterBeforeHeader")]
    [InlineData("WriteMessageBeforeHeader")]
    [InlineData("CompleteBeforeHeader")]
    [InlineData("WriteStructuredDataBeforeHeader")]
    [InlineData("EmptyStructuredDataBeforeHeader")]
    [InlineData("WriteHeaderTwice")]
    [InlineData("WriteParameterOutsideAnElement")]
    [InlineData("EndElementWithoutStartElement")]
    [InlineData("EndElementTwice")]
    [InlineData("StartElementInsideAnElement")]
    [InlineData("WriteStructuredDataInsideAnElement")]
    [InlineData("WriteMessageInsideAnElement")]
    [InlineData("CompleteInsideAnElement")]
    [InlineData("WriteParameterAfterEndElement")]
    [InlineData("StartElementAfterComplete")]
    [InlineData("WriteMessageAfterComplete")]
    [InlineData("WriteMessageAfterWriteMessage")]
    [InlineData("CompleteAfterComplete")]
    [InlineData("EmptyStructuredDataAfterComplete")]
    public void MisuseThrowsInvalidOperationExceptionAndWritesNothingMore(string misuse)
    {
        var output = new ArrayBufferWriter<byte>();
        int before = -1;
        Assert.Throws<InvalidOperationException>(() =>
        {
            var writer = new Rfc5424Writer(output);
            switch (misuse)
            {
                case "StartElementBeforeHeader":
                    before = output.WrittenCount;
                    writer.StartElement("a");
                    break;
                case "WriteParameterBeforeHeader":
                    before = output.WrittenCount;
                    writer.WriteParameter("k", "v");
                    break;
                case "WriteMessageBeforeHeader":
                    before = output.WrittenCount;
                    writer.WriteMessage("m"u8);
                    break;
                case "CompleteBeforeHeader":
                    before = output.WrittenCount;
                    writer.Complete();
                    break;
                case "WriteStructuredDataBeforeHeader":
                    before = output.WrittenCount;
                    writer.WriteStructuredData("[a]"u8);
                    break;
                case "EmptyStructuredDataBeforeHeader":
                    before = output.WrittenCount;
                    writer.WriteStructuredData([]);
                    break;
                default:
                    writer.WriteHeader(UserNotice, SyslogTimestamp.Nil, "", "", "", "");
                    MisuseAfterHeader(ref writer, misuse, output, ref before);
                    break;
            }
        });
        Assert.Equal(before, output.WrittenCount);
    }

    private static void MisuseAfterHeader(ref Rfc5424Writer writer, string misuse, ArrayBufferWriter<byte> output, ref int before)
    {
        switch (misuse)
        {
            case "WriteHeaderTwice":
                before = output.WrittenCount;
                writer.WriteHeader(UserNotice, SyslogTimestamp.Nil, "", "", "", "");
                break;
            case "WriteParameterOutsideAnElement":
                before = output.WrittenCount;
                writer.WriteParameter("k", "v"u8);
                break;
            case "EndElementWithoutStartElement":
                before = output.WrittenCount;
                writer.EndElement();
                break;
            case "EndElementTwice":
                writer.StartElement("a");
                writer.EndElement();
                before = output.WrittenCount;
                writer.EndElement();
                break;
            case "StartElementInsideAnElement":
                writer.StartElement("a");
                before = output.WrittenCount;
                writer.StartElement("b");
                break;
            case "WriteStructuredDataInsideAnElement":
                writer.StartElement("a");
                before = output.WrittenCount;
                writer.WriteStructuredData("[b]"u8);
                break;
            case "WriteMessageInsideAnElement":
                writer.StartElement("a");
                before = output.WrittenCount;
                writer.WriteMessage("m");
                break;
            case "CompleteInsideAnElement":
                writer.StartElement("a");
                before = output.WrittenCount;
                writer.Complete();
                break;
            case "WriteParameterAfterEndElement":
                writer.StartElement("a");
                writer.EndElement();
                before = output.WrittenCount;
                writer.WriteParameter("k", "v");
                break;
            case "StartElementAfterComplete":
                writer.Complete();
                before = output.WrittenCount;
                writer.StartElement("a");
                break;
            case "WriteMessageAfterComplete":
                writer.Complete();
                before = output.WrittenCount;
                writer.WriteMessage("m"u8);
                break;
            case "WriteMessageAfterWriteMessage":
                writer.WriteMessage("m"u8);
                before = output.WrittenCount;
                writer.WriteMessage("m", bom: true);
                break;
            case "CompleteAfterComplete":
                writer.Complete();
                before = output.WrittenCount;
                writer.Complete();
                break;
            case "EmptyStructuredDataAfterComplete":
                writer.Complete();
                before = output.WrittenCount;
                writer.WriteStructuredData([]);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(misuse), misuse, "unknown case");
        }
    }

    private static string WriteWithTimestamp(SyslogTimestamp timestamp)
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new Rfc5424Writer(output);
        writer.WriteHeader(UserNotice, timestamp, "", "", "", "");
        writer.Complete();
        return Latin1(output);
    }

    /// <summary>Writes a message with one parameter <c>k</c> and returns the bytes of <c>k="…"</c>.</summary>
    private static byte[] WriteOneParameter(string value, IBufferWriter<byte>? output = null)
    {
        output ??= new ArrayBufferWriter<byte>();
        var writer = new Rfc5424Writer(output);
        writer.WriteHeader(UserNotice, SyslogTimestamp.Nil, "", "", "", "");
        writer.StartElement("a");
        writer.WriteParameter("k", value);
        writer.EndElement();
        writer.Complete();
        return ParameterOf(output is StingyBufferWriter stingy ? stingy.WrittenBytes : ((ArrayBufferWriter<byte>)output).WrittenSpan.ToArray());
    }

    private static byte[] WriteOneParameterUtf8(ReadOnlySpan<byte> value)
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new Rfc5424Writer(output);
        writer.WriteHeader(UserNotice, SyslogTimestamp.Nil, "", "", "", "");
        writer.StartElement("a");
        writer.WriteParameter("k", value);
        writer.EndElement();
        writer.Complete();
        return ParameterOf(output.WrittenSpan.ToArray());
    }

    private static byte[] ParameterOf(byte[] written)
    {
        byte[] prefix = "<13>1 - - - - - [a "u8.ToArray();
        Assert.Equal(prefix, written[..prefix.Length]);
        Assert.Equal((byte)']', written[^1]);
        return written[prefix.Length..^1];
    }

    // §6.3.3, written out independently of the code under test.
    private static byte[] ReferenceEscape(byte[] utf8)
    {
        var escaped = new List<byte>();
        foreach (byte b in utf8)
        {
            if (b is (byte)'"' or (byte)'\\' or (byte)']')
            {
                escaped.Add((byte)'\\');
            }

            escaped.Add(b);
        }

        return [.. escaped];
    }

    private static byte[] Filled(char c, int count) => Encoding.ASCII.GetBytes(new string(c, count));

    /// <summary>Writes a header and completes the message (no SD, no MSG); returns it as Latin-1 text.</summary>
    private static string HeaderOnly(string hostName, string appName, string procId, string msgId, SyslogPriority? priority = null)
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new Rfc5424Writer(output);
        writer.WriteHeader(priority ?? UserNotice, SyslogTimestamp.Nil, hostName, appName, procId, msgId);
        writer.Complete();
        return Latin1(output);
    }

    private static string HeaderOnly(ReadOnlySpan<byte> hostName, ReadOnlySpan<byte> appName, ReadOnlySpan<byte> procId, ReadOnlySpan<byte> msgId)
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new Rfc5424Writer(output);
        writer.WriteHeader(UserNotice, SyslogTimestamp.Nil, hostName, appName, procId, msgId);
        writer.Complete();
        return Latin1(output);
    }

    private static string Latin1(ArrayBufferWriter<byte> output) => Encoding.Latin1.GetString(output.WrittenSpan);

    private static string Latin1(byte[] bytes) => Encoding.Latin1.GetString(bytes);
}
