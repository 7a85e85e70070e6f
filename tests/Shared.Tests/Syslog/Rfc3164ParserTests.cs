using System.Buffers;
using System.Text;
using Shared.Syslog;

namespace Shared.Tests.Syslog;

public sealed class Rfc3164ParserTests
{
    // The receiver's clock when the captured frames were taken (NOTES-dotnet.md), in UTC.
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 4, 46, 0, TimeSpan.Zero);

    [Fact]
    public void TheCapturedLoggerFrameParsesToExactFields()
    {
        byte[] frame = "<34>Nov 22 04:45:59 vm myapp: rfc3164 over tcp\n"u8.ToArray();

        Assert.Equal(OperationStatus.Done, Rfc3164Parser.TryParse(frame, Now, out var header, out var error));

        Assert.Equal(SyslogParseError.None, error);
        Assert.Equal(new FieldRange(20, 2), header.HostName);
        Assert.Equal(new FieldRange(23, 5), header.AppName);
        Assert.Equal(new FieldRange(30, 16), header.Message);
        var message = SyslogMessage.Create(frame, header);
        Assert.Equal(SyslogFormat.Rfc3164, message.Format);
        Assert.Equal(Facility.Auth, message.Facility);
        Assert.Equal(Severity.Critical, message.Severity);
        Assert.Equal(0, message.Version);
        Assert.Equal("2026-11-22T04:45:59Z", message.Timestamp.ToString());
        Assert.Equal(0, message.Timestamp.FractionDigits);
        Assert.Equal("vm", message.HostName);
        Assert.Equal("myapp", message.AppName);
        Assert.Null(message.ProcId);
        Assert.Null(message.MsgId);
        Assert.Empty(message.StructuredData);
        Assert.Equal("rfc3164 over tcp", message.MessageText);
        Assert.True(message.HasMessage);
        Assert.False(message.HasBom);
    }

    [Fact]
    public void TheFirstRfcExampleHasAHostnameATagAndAMessage()
    {
        var message = Parse("<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8");

        Assert.Equal(SyslogPriority.FromValue(34), message.Priority);
        Assert.Equal("2026-10-11T22:14:15Z", message.Timestamp.ToString());
        Assert.Equal("mymachine", message.HostName);
        Assert.Equal("su", message.AppName);
        Assert.Null(message.ProcId);
        Assert.Equal("'su root' failed for lonvick on /dev/pts/8", message.MessageText);
    }

    [Fact]
    public void TheRfcExampleWithoutATagTakesItsFirstWordAsTheTag()
    {
        // RFC 3164 §5.4 says this message has no TAG; rsyslog cannot tell and takes "Use", and so do we.
        var message = Parse("<13>Feb  5 17:32:18 10.0.0.99 Use the BFG!");

        Assert.Equal(SyslogPriority.Default, message.Priority);
        Assert.Equal("2026-02-05T17:32:18Z", message.Timestamp.ToString());
        Assert.Equal("10.0.0.99", message.HostName);
        Assert.Equal("Use", message.AppName);
        Assert.Equal("the BFG!", message.MessageText);
    }

    [Fact]
    public void TheRfcExampleWithATimeZoneAndYearTakesTheZoneAsHostname()
    {
        // rsyslog (pmrfc3164 defaults) reads "CST" as HOSTNAME and "1987" as TAG; the year comes from now, not 1987.
        var message = Parse("<165>Aug 24 05:34:00 CST 1987 mymachine myproc[10]: %% It's time to make the do-nuts.");

        Assert.Equal(Facility.Local4, message.Facility);
        Assert.Equal(Severity.Notice, message.Severity);
        Assert.Equal("2026-08-24T05:34:00Z", message.Timestamp.ToString());
        Assert.Equal("CST", message.HostName);
        Assert.Equal("1987", message.AppName);
        Assert.Null(message.ProcId);
        Assert.Equal("mymachine myproc[10]: %% It's time to make the do-nuts.", message.MessageText);
    }

    [Fact]
    public void TheRfcExampleWithTheYearFirstHasNoTimestampAndNoHostname()
    {
        // RFC 3164 §5.4: "1990 Oct 22 …" is not a TIMESTAMP, so the relay would stamp it; the text stays content.
        var message = Parse("<0>1990 Oct 22 10:52:01 TZ-6 scapegoat.dmz.example.org 10.1.2.3 sched[0]: That's All Folks!");

        Assert.Equal(Facility.Kernel, message.Facility);
        Assert.Equal(Severity.Emergency, message.Severity);
        Assert.False(message.Timestamp.HasValue);
        Assert.Null(message.HostName);
        Assert.Equal("1990", message.AppName);
        Assert.Equal("Oct 22 10:52:01 TZ-6 scapegoat.dmz.example.org 10.1.2.3 sched[0]: That's All Folks!", message.MessageText);
    }

    [Fact]
    public void AnIsoTimestampKeepsItsOffsetAndFraction()
    {
        var message = Parse("<34>2026-11-22T04:45:59.303510+01:00 vm myapp[42]: hello");

        Assert.Equal("2026-11-22T04:45:59.303510+01:00", message.Timestamp.ToString());
        Assert.Equal(6, message.Timestamp.FractionDigits);
        Assert.Equal("vm", message.HostName);
        Assert.Equal("myapp", message.AppName);
        Assert.Equal("42", message.ProcId);
        Assert.Equal("hello", message.MessageText);
    }

    [Fact]
    public void RsyslogsForwardFormatParses()
    {
        // RSYSLOG_ForwardFormat:
        // "<%PRI%>%TIMESTAMP:::date-rfc3339% %HOSTNAME% %syslogtag:1:32%%msg:::sp-if-no-1st-sp%%msg%"
        var message = Parse("<19>2026-11-22T04:46:37+00:00 vm oldapp[7]: legacy 3164 in\n");

        Assert.Equal("2026-11-22T04:46:37Z", message.Timestamp.ToString());
        Assert.Equal(0, message.Timestamp.FractionDigits);
        Assert.Equal("vm", message.HostName);
        Assert.Equal("oldapp", message.AppName);
        Assert.Equal("7", message.ProcId);
        Assert.Equal("legacy 3164 in", message.MessageText);
    }

    [Fact]
    public void ATagWithAPidSetsProcId()
    {
        var message = Parse("<13>Nov 22 04:45:59 vm myapp[23591]: via rsyslog");

        Assert.Equal("myapp", message.AppName);
        Assert.Equal("23591", message.ProcId);
        Assert.Equal("via rsyslog", message.MessageText);
    }

    [Theory]
    [InlineData("<13>Nov 22 04:45:59 myapp: hello", "myapp", null, "hello")]
    [InlineData("<13>Nov 22 04:45:59 myapp[9]: hello", "myapp", "9", "hello")]
    [InlineData("<13>Nov 22 04:45:59 fe80::1: hello", "fe80", null, ":1: hello")] // ends in ':', so a TAG
    public void ATagRightAfterTheTimestampMeansThereIsNoHostname(string frame, string appName, string? procId, string text)
    {
        var message = Parse(frame);

        Assert.Null(message.HostName);
        Assert.Equal(appName, message.AppName);
        Assert.Equal(procId, message.ProcId);
        Assert.Equal(text, message.MessageText);
    }

    [Theory]
    [InlineData("<13>Nov 22 04:45:59 fe80::1 app: x", "fe80::1")]
    [InlineData("<13>Nov 22 04:45:59 my_host.example-1.org app: x", "my_host.example-1.org")]
    [InlineData("<13>Nov 22 04:45:59 10.0.0.99 app: x", "10.0.0.99")]
    public void HostnamesMayHaveDotsDashesUnderscoresAndColons(string frame, string hostName)
    {
        var message = Parse(frame);

        Assert.Equal(hostName, message.HostName);
        Assert.Equal("app", message.AppName);
        Assert.Equal("x", message.MessageText);
    }

    [Fact]
    public void WithoutATimestampNoHostnameIsLookedFor()
    {
        var message = Parse("<13>vm myapp: hello");

        Assert.False(message.Timestamp.HasValue);
        Assert.Null(message.HostName);
        Assert.Equal("vm", message.AppName);
        Assert.Equal("myapp: hello", message.MessageText);
    }

    [Fact]
    public void AMessageWithoutPriIsUserNotice()
    {
        var message = Parse("Nov 22 04:45:59 vm myapp: no pri");

        Assert.Equal(Facility.User, message.Facility);
        Assert.Equal(Severity.Notice, message.Severity);
        Assert.Equal("2026-11-22T04:45:59Z", message.Timestamp.ToString());
        Assert.Equal("vm", message.HostName);
        Assert.Equal("myapp", message.AppName);
        Assert.Equal("no pri", message.MessageText);
    }

    [Theory]
    [InlineData("<999>Nov 22 04:45:59 vm app: x", "<999>Nov", "22 04:45:59 vm app: x")] // PRI > 191
    [InlineData("<192>hello world", "<192>hello", "world")]
    [InlineData("<013>hello world", "<013>hello", "world")] // a leading zero is invalid (Priority.TryRead, RFC 5424 §6.2.1)
    [InlineData("<1234>hello", "<1234>hello", "")]
    [InlineData("<13 hello", "<13", "hello")] // no '>'
    [InlineData("<> hello", "<>", "hello")]
    [InlineData("<abc>: hello", "<abc>", "hello")]
    public void AnInvalidPriIsUserNoticeAndStaysInTheContent(string frame, string appName, string text)
    {
        var message = Parse(frame);

        Assert.Equal(SyslogPriority.Default, message.Priority);
        Assert.False(message.Timestamp.HasValue);
        Assert.Null(message.HostName);
        Assert.Equal(appName, message.AppName);
        Assert.Equal(text, message.MessageText);
    }

    [Theory]
    [InlineData("<13>Nov  2 04:45:59 vm app: x")]
    [InlineData("<13>Nov 02 04:45:59 vm app: x")]
    [InlineData("<13>Nov 2 04:45:59 vm app: x")]
    [InlineData("<13>nov  2 04:45:59 vm app: x")]
    [InlineData("<13>NOV  2 04:45:59 vm app: x")]
    [InlineData("<13> Nov  2 04:45:59 vm app: x")] // one stray SP before the date: rsyslog's HP ProCurve case
    public void TheDayMayBePaddedWithASpaceOrAZeroOrNotAtAll(string frame)
    {
        var message = Parse(frame);

        Assert.Equal("2026-11-02T04:45:59Z", message.Timestamp.ToString());
        Assert.Equal("vm", message.HostName);
        Assert.Equal("app", message.AppName);
        Assert.Equal("x", message.MessageText);
    }

    [Theory]
    [InlineData("<13>Feb 30 04:45:59 vm app: x", "Feb", "30 04:45:59 vm app: x")] // no such day in any year
    [InlineData("<13>Nov 31 04:45:59 vm app: x", "Nov", "31 04:45:59 vm app: x")]
    [InlineData("<13>Nov 00 04:45:59 vm app: x", "Nov", "00 04:45:59 vm app: x")]
    [InlineData("<13>Nov 22 24:00:00 vm app: x", "Nov", "22 24:00:00 vm app: x")]
    [InlineData("<13>Nov 22 04:60:00 vm app: x", "Nov", "22 04:60:00 vm app: x")]
    [InlineData("<13>Nov 22 04:45:60 vm app: x", "Nov", "22 04:45:60 vm app: x")] // leap second: not representable
    [InlineData("<13>Nov 22 04:45:59.123 vm app: x", "Nov", "22 04:45:59.123 vm app: x")] // rsyslog reads no fraction
    [InlineData("<13>Nov 22 04:45:59: vm app: x", "Nov", "22 04:45:59: vm app: x")]
    [InlineData("<13>Nov 22 4:45:59 vm app: x", "Nov", "22 4:45:59 vm app: x")]
    [InlineData("<13>Nox 22 04:45:59 vm app: x", "Nox", "22 04:45:59 vm app: x")]
    [InlineData("<13>2026-11-22T04:45:59 vm app: x", "2026-11-22T04", "45:59 vm app: x")] // ISO without an offset
    [InlineData("<13>2026-11-22T04:45:59Zvm app: x", "2026-11-22T04", "45:59Zvm app: x")] // ISO not followed by SP
    public void TextThatIsNotQuiteATimestampIsContent(string frame, string appName, string text)
    {
        var message = Parse(frame);

        Assert.False(message.Timestamp.HasValue);
        Assert.Null(message.HostName);
        Assert.Equal(appName, message.AppName);
        Assert.Equal(text, message.MessageText);
    }

    [Fact]
    public void ADecemberMessageReceivedInJanuaryIsFromLastYear()
    {
        var message = Parse("<13>Dec 31 23:59:58 vm app: x", new DateTimeOffset(2027, 1, 1, 0, 0, 5, TimeSpan.Zero));

        Assert.Equal("2026-12-31T23:59:58Z", message.Timestamp.ToString());
    }

    [Fact]
    public void AJanuaryMessageReceivedJustBeforeMidnightOnNewYearsEveIsFromNextYear()
    {
        // The sender's clock is two seconds ahead and already in the new year.
        var message = Parse("<13>Jan  1 00:00:01 vm app: x", new DateTimeOffset(2026, 12, 31, 23, 59, 59, TimeSpan.Zero));

        Assert.Equal("2027-01-01T00:00:01Z", message.Timestamp.ToString());
    }

    [Fact]
    public void AJanuaryMessageReceivedInDecemberIsFromThisJanuary()
    {
        var message = Parse("<13>Jan  5 10:00:00 vm app: x", new DateTimeOffset(2026, 12, 31, 23, 59, 59, TimeSpan.Zero));

        Assert.Equal("2026-01-05T10:00:00Z", message.Timestamp.ToString());
    }

    [Theory]
    [InlineData("Nov 22 04:45:59", "2026-11-22T04:45:59Z")] // seconds ahead of now: not a year back
    [InlineData("Nov 23 04:45:00", "2026-11-23T04:45:00Z")] // exactly one day ahead: still tolerated
    [InlineData("Nov 23 04:45:01", "2025-11-23T04:45:01Z")] // more than a day ahead: last year's
    [InlineData("Nov 22 04:44:59", "2026-11-22T04:44:59Z")]
    public void ASendersClockMayRunUpToADayAhead(string timestamp, string expected)
    {
        var message = Parse($"<13>{timestamp} vm app: x", new DateTimeOffset(2026, 11, 22, 4, 45, 0, TimeSpan.Zero));

        Assert.Equal(expected, message.Timestamp.ToString());
    }

    [Theory]
    [InlineData(2026, 3, 1, 0, "2024-02-29T12:00:00Z")] // 2026 has no 29 February
    [InlineData(2028, 3, 1, 0, "2028-02-29T12:00:00Z")] // leap year, already past
    [InlineData(2028, 2, 28, 13, "2028-02-29T12:00:00Z")] // 23 h ahead: within the skew tolerance
    [InlineData(2028, 2, 28, 11, "2024-02-29T12:00:00Z")] // 25 h ahead: the previous leap year
    [InlineData(2101, 1, 1, 0, "2096-02-29T12:00:00Z")] // 2100 is not a leap year
    public void TwentyNinthOfFebruaryIsFromTheLatestLeapYearNotInTheFuture(int year, int month, int day, int hour, string expected)
    {
        var message = Parse("<13>Feb 29 12:00:00 vm app: x", new DateTimeOffset(year, month, day, hour, 0, 0, TimeSpan.Zero));

        Assert.Equal(expected, message.Timestamp.ToString());
    }

    [Fact]
    public void ABsdTimestampTakesTheOffsetAndYearOfNow()
    {
        // 00:30 on 1 January at +01:00 is still 2026 in UTC: the year is read in the receiver's offset.
        var message = Parse("<13>Jan  1 00:20:00 vm app: x", new DateTimeOffset(2027, 1, 1, 0, 30, 0, TimeSpan.FromHours(1)));

        Assert.Equal("2027-01-01T00:20:00+01:00", message.Timestamp.ToString());
        Assert.Equal(TimeSpan.FromHours(1), message.Timestamp.Value.Offset);
    }

    [Fact]
    public void ATagLongerThan32CharactersIsKeptWhole()
    {
        string tag = new('t', 40);

        var message = Parse($"<13>Nov 22 04:45:59 vm {tag}[7]: x");

        Assert.Equal(tag, message.AppName);
        Assert.Equal("7", message.ProcId);
        Assert.Equal("x", message.MessageText);
    }

    [Fact]
    public void ATagLongerThan48CharactersIsKeptWholeAndTheMessageStartsAfterIt()
    {
        // Nothing received is dropped: the stored line keeps the whole tag; only an RFC 5424 writer cuts it to 48.
        string tag = string.Concat(new string('a', 48), "bbbbbbbbbbbb");

        var message = Parse($"<13>Nov 22 04:45:59 vm {tag}[7]: x");

        Assert.Equal(tag, message.AppName);
        Assert.Equal("7", message.ProcId);
        Assert.Equal("x", message.MessageText);
    }

    [Theory]
    [InlineData("<13>Nov 22 04:45:59 vm app:  two spaces", "app", " two spaces")] // only one SP is skipped
    [InlineData("<13>Nov 22 04:45:59 vm app:x", "app", "x")]
    [InlineData("<13>Nov 22 04:45:59 vm app x", "app", "x")]
    [InlineData("<13>Nov 22 04:45:59 vm app : x", "app", ": x")]
    [InlineData("<13>Nov 22 04:45:59 vm : x", null, "x")] // an empty tag with its colon
    [InlineData("<13>Nov 22 04:45:59 vm app:", "app", "")]
    [InlineData("<13>Nov 22 04:45:59 vm a/b-c.d@e: x", "a/b-c.d@e", "x")] // any PRINTUSASCII but '[' and ':'
    public void OneColonAndOneSpaceAfterTheTagAreSkipped(string frame, string? appName, string text)
    {
        var message = Parse(frame);

        Assert.Equal("vm", message.HostName);
        Assert.Equal(appName, message.AppName);
        Assert.Equal(text, message.MessageText);
    }

    [Theory]
    [InlineData("<13>Nov 22 04:45:59 vm app[12 x", "[12 x")] // no ']'
    [InlineData("<13>Nov 22 04:45:59 vm app[1 2]: x", "[1 2]: x")] // SP inside
    [InlineData("<13>Nov 22 04:45:59 vm app[", "[")]
    public void AMalformedPidStaysInTheMessage(string frame, string text)
    {
        var message = Parse(frame);

        Assert.Equal("app", message.AppName);
        Assert.Null(message.ProcId);
        Assert.Equal(text, message.MessageText);
    }

    [Fact]
    public void AnEmptyPidIsNoPid()
    {
        var message = Parse("<13>Nov 22 04:45:59 vm app[]: x");

        Assert.Equal("app", message.AppName);
        Assert.Null(message.ProcId);
        Assert.Equal("x", message.MessageText);
    }

    [Fact]
    public void APidLongerThan128BytesStaysInTheMessage()
    {
        string pid = new('9', 129);

        var message = Parse($"<13>Nov 22 04:45:59 vm app[{pid}]: x");

        Assert.Equal("app", message.AppName);
        Assert.Null(message.ProcId);
        Assert.Equal($"[{pid}]: x", message.MessageText);
    }

    [Fact]
    public void ATagEndsAtTheFirstByteOutsidePrintableAscii()
    {
        byte[] frame = [.. "<13>Nov 22 04:45:59 vm m"u8, 0xC3, 0xBF, .. "app: x"u8];

        var message = Parse(frame);

        Assert.Equal("m", message.AppName);
        Assert.Equal([0xC3, 0xBF, .. "app: x"u8], message.Message.ToArray());
    }

    [Theory]
    [InlineData("<13>Nov 22 04:45:59 vm ", "vm", "")]
    [InlineData("<13>Nov 22 04:45:59 vm  indented", "vm", " indented")] // nothing read as a tag: MSG keeps its SP
    [InlineData("<13>Nov 22 04:45:59 ", null, "")]
    [InlineData("<13>Nov 22 04:45:59", null, "")]
    [InlineData("<13>Nov 22 04:45:59\n", null, "")]
    [InlineData("<13> text after a space", null, " text after a space")]
    public void AFrameWithoutATagHasNoAppName(string frame, string? hostName, string text)
    {
        var message = Parse(frame);

        Assert.Equal(hostName, message.HostName);
        Assert.Null(message.AppName);
        Assert.Equal(text, message.MessageText);
        Assert.Equal(text.Length > 0, message.HasMessage);
    }

    [Fact]
    public void ALastTokenWithoutASpaceAfterItIsTheTagNotTheHostname()
    {
        var message = Parse("<13>Nov 22 04:45:59 vm");

        Assert.Equal("2026-11-22T04:45:59Z", message.Timestamp.ToString());
        Assert.Null(message.HostName);
        Assert.Equal("vm", message.AppName);
        Assert.False(message.HasMessage);
    }

    [Fact]
    public void AnEmptyFrameIsInvalid()
    {
        var status = Rfc3164Parser.TryParse([], Now, out var header, out var error);

        Assert.Equal(OperationStatus.InvalidData, status);
        Assert.Equal(new SyslogParseError(SyslogParseErrorCode.EmptyMessage, 0), error);
        Assert.Equal(default, header);
    }

    [Fact]
    public void AFrameOfOnlyALineFeedIsAnEmptyUserNoticeMessage()
    {
        Assert.Equal(OperationStatus.Done, Rfc3164Parser.TryParse("\n"u8, Now, out var header, out _));

        Assert.Equal(SyslogPriority.Default, header.Priority);
        Assert.Equal(new FieldRange(0, 0), header.Message);
        Assert.True(header.AppName.IsEmpty);
    }

    [Theory]
    [InlineData("<13>app: line\n\n", "line\n")]
    [InlineData("<13>app: line\r\n", "line\r")]
    [InlineData("<13>app: line\nsecond", "line\nsecond")]
    public void OnlyOneTrailingLineFeedIsStripped(string frame, string text)
    {
        Assert.Equal(text, Parse(frame).MessageText);
    }

    [Fact]
    public void InvalidUtf8InTheMessageIsKept()
    {
        byte[] frame = [.. "<13>Nov 22 04:45:59 vm app: "u8, 0xFF, 0xFE, 0xC3, .. " ok\n"u8];

        var message = Parse(frame);

        Assert.Equal([0xFF, 0xFE, 0xC3, .. " ok"u8], message.Message.ToArray());
        Assert.False(message.HasBom);
    }

    [Fact]
    public void NulBytesAreKeptAsData()
    {
        byte[] frame = [.. "<13>Nov 22 04:45:59 vm app: a"u8, 0, (byte)'b', 0];

        var message = Parse(frame);

        Assert.Equal("app", message.AppName);
        Assert.Equal([(byte)'a', 0, (byte)'b', 0], message.Message.ToArray());
    }

    [Fact]
    public void ANulInsideTheTagEndsIt()
    {
        byte[] frame = [.. "<13>Nov 22 04:45:59 vm ap"u8, 0, .. "p: x"u8];

        var message = Parse(frame);

        Assert.Equal("ap", message.AppName);
        Assert.Equal([0, .. "p: x"u8], message.Message.ToArray());
    }

    [Theory]
    [InlineData("<34>Nov 22 04:45:59 vm myapp[1]: rfc3164 over tcp\n")]
    [InlineData("<34>2026-11-22T04:45:59.303510+01:00 vm myapp[42]: hello")]
    [InlineData("<13> Nov  2 04:45:59 fe80::1 app[]: x")]
    public void EveryPrefixOfAFrameParsesWithFieldsInsideIt(string text)
    {
        byte[] frame = Encoding.ASCII.GetBytes(text);
        for (int length = 1; length <= frame.Length; length++)
        {
            AssertParsesInsideFrame(frame.AsSpan(0, length));
        }
    }

    [Fact]
    public void RandomBytesAlwaysParseWithFieldsInsideTheFrame()
    {
        var random = new Random(3164);
        byte[] alphabet = "<>0123456789 :[]\n\0-.NovFebJan2029T+Zab"u8.ToArray();
        var frame = new byte[80];
        for (int i = 0; i < 20_000; i++)
        {
            int length = random.Next(1, frame.Length + 1);
            for (int j = 0; j < length; j++)
            {
                frame[j] = random.Next(4) == 0 ? (byte)random.Next(256) : alphabet[random.Next(alphabet.Length)];
            }

            AssertParsesInsideFrame(frame.AsSpan(0, length));
        }
    }

    [Fact]
    public void ParsingAllocatesNothing()
    {
        byte[] frame = "<34>Nov 22 04:45:59 vm myapp[1]: rfc3164 over tcp\n"u8.ToArray();
        Rfc3164Parser.TryParse(frame, Now, out _, out _);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            Rfc3164Parser.TryParse(frame, Now, out _, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static SyslogMessage Parse(string frame, DateTimeOffset? now = null) => Parse(Encoding.UTF8.GetBytes(frame), now);

    private static SyslogMessage Parse(byte[] frame, DateTimeOffset? now = null)
    {
        Assert.Equal(OperationStatus.Done, Rfc3164Parser.TryParse(frame, now ?? Now, out var header, out var error));
        Assert.Equal(SyslogParseError.None, error);
        Assert.Equal(SyslogFormat.Rfc3164, header.Format);
        Assert.True(header.MsgId.IsEmpty && header.StructuredData.IsEmpty);
        return SyslogMessage.Create(frame, header);
    }

    private static void AssertParsesInsideFrame(ReadOnlySpan<byte> frame)
    {
        Assert.Equal(OperationStatus.Done, Rfc3164Parser.TryParse(frame, Now, out var header, out _));
        foreach (var range in (ReadOnlySpan<FieldRange>)[header.HostName, header.AppName, header.ProcId, header.Message])
        {
            Assert.InRange(range.Start, 0, frame.Length);
            Assert.InRange(range.End, range.Start, frame.Length);
        }

        Assert.True(header.Message.End >= Math.Max(header.AppName.End, header.ProcId.End));
    }
}
