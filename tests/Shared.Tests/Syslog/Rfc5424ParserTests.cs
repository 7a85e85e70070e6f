using System.Buffers;
using System.Text;
using Shared.Syslog;
using static Shared.Tests.Syslog.SyslogTestFrames;

namespace Shared.Tests.Syslog;

public class Rfc5424ParserTests
{
    private static readonly DateTimeOffset LoggerSecond = new(2026, 11, 22, 4, 45, 59, TimeSpan.Zero);

    [Fact]
    public void ParsesRfcExample1WithItsBom()
    {
        var (header, message) = Parse(Bytes(RfcExample1));

        Assert.Equal(34, message.Priority.Value);
        Assert.Equal(Facility.Auth, message.Facility);
        Assert.Equal(Severity.Critical, message.Severity);
        Assert.Equal(SyslogFormat.Rfc5424, message.Format);
        Assert.Equal(1, message.Version);
        AssertTimestamp(new DateTimeOffset(2003, 10, 11, 22, 14, 15, 3, TimeSpan.Zero), 3, message.Timestamp);
        Assert.Equal("mymachine.example.com", message.HostName);
        Assert.Equal("su", message.AppName);
        Assert.Null(message.ProcId);
        Assert.Equal("ID47", message.MsgId);
        Assert.Empty(message.StructuredData);
        Assert.True(header.StructuredData.IsEmpty);
        Assert.True(message.HasMessage);
        Assert.True(message.HasBom);
        Assert.Equal("'su root' failed for lonvick on /dev/pts/8"u8.ToArray(), message.Message.ToArray());
    }

    [Fact]
    public void ParsesRfcExample2WithMicrosecondsAndANegativeOffset()
    {
        var (_, message) = Parse(Bytes(RfcExample2));

        Assert.Equal(165, message.Priority.Value);
        Assert.Equal(Facility.Local4, message.Facility);
        Assert.Equal(Severity.Notice, message.Severity);
        AssertTimestamp(new DateTimeOffset(2003, 8, 24, 5, 14, 15, TimeSpan.FromHours(-7)).AddTicks(30), 6, message.Timestamp);

        // RFC 5424 §6.5 example 2: the same instant as 2003-08-24T12:14:15.000003Z.
        Assert.Equal(new DateTime(2003, 8, 24, 12, 14, 15, DateTimeKind.Utc).AddTicks(30), message.Timestamp.Value.UtcDateTime);
        Assert.Equal("192.0.2.1", message.HostName);
        Assert.Equal("myproc", message.AppName);
        Assert.Equal("8710", message.ProcId);
        Assert.Null(message.MsgId);
        Assert.Empty(message.StructuredData);
        Assert.False(message.HasBom);
        Assert.Equal("%% It's time to make the do-nuts."u8.ToArray(), message.Message.ToArray());
    }

    [Fact]
    public void RecordsTheOffsetOfEveryFieldInRfcExample2()
    {
        byte[] frame = Bytes(RfcExample2);
        Assert.Equal(99, frame.Length);

        var (header, _) = Parse(frame);

        // "<165>1 " is 7 bytes, the 32-byte timestamp ends at 38, then SP-separated fields from 40.
        Assert.Equal(new FieldRange(40, 9), header.HostName);
        Assert.Equal(new FieldRange(50, 6), header.AppName);
        Assert.Equal(new FieldRange(57, 4), header.ProcId);
        Assert.Equal(default, header.MsgId);
        Assert.Equal(default, header.StructuredData);
        Assert.Equal(new FieldRange(66, 33), header.Message);
        Assert.Equal("192.0.2.1"u8.ToArray(), header.HostName.Slice(frame).ToArray());
    }

    [Fact]
    public void ParsesRfcExample3WithStructuredDataAndABomMessage()
    {
        var (_, message) = Parse(Bytes(RfcExample3));

        Assert.Equal(165, message.Priority.Value);
        Assert.Equal("evntslog", message.AppName);
        Assert.Null(message.ProcId);
        Assert.Equal("ID47", message.MsgId);
        var element = Assert.Single(message.StructuredData);
        AssertElement(element, "exampleSDID@32473", ("iut", "3"), ("eventSource", "Application"), ("eventID", "1011"));
        Assert.True(message.HasBom);
        Assert.Equal("An application event log entry..."u8.ToArray(), message.Message.ToArray());
    }

    [Fact]
    public void ParsesRfcExample4WithTwoElementsAndNoMessage()
    {
        var (header, message) = Parse(Bytes(RfcExample4));

        Assert.Equal(2, message.StructuredData.Count);
        AssertElement(message.StructuredData[0], "exampleSDID@32473", ("iut", "3"), ("eventSource", "Application"), ("eventID", "1011"));
        AssertElement(message.StructuredData[1], "examplePriority@32473", ("class", "high"));
        Assert.False(message.HasMessage);
        Assert.False(message.HasBom);
        Assert.True(header.Message.IsEmpty);
        Assert.Equal(Bytes(RfcExample4).Length, header.StructuredData.End);
    }

    [Fact]
    public void ParsesLoggerOctetCountedFrame()
    {
        var (_, message) = Parse(OctetCounted(LoggerOctetCounted));

        Assert.Equal(Facility.Local0, message.Facility);
        Assert.Equal(Severity.Informational, message.Severity);
        AssertTimestamp(LoggerSecond.AddTicks(3_035_100), 6, message.Timestamp);
        Assert.Equal("vm", message.HostName);
        Assert.Equal("myapp", message.AppName);
        Assert.Null(message.ProcId);
        Assert.Null(message.MsgId);
        AssertElement(Assert.Single(message.StructuredData), "timeQuality", ("tzKnown", "1"), ("isSynced", "0"));
        Assert.Equal("hello octet counted", message.MessageText);
        Assert.False(message.HasBom);
    }

    [Fact]
    public void ParsesLoggerLfFramedFrameAndStripsTheLf()
    {
        var (_, message) = Parse(Bytes(LoggerLfFramed));

        Assert.Equal(13, message.Priority.Value);
        Assert.Equal(Facility.User, message.Facility);
        Assert.Equal(Severity.Notice, message.Severity);
        AssertTimestamp(LoggerSecond.AddTicks(3_057_090), 6, message.Timestamp);
        AssertElement(Assert.Single(message.StructuredData), "timeQuality", ("tzKnown", "1"), ("isSynced", "0"));
        Assert.Equal("hello non-transparent"u8.ToArray(), message.Message.ToArray());
    }

    [Fact]
    public void ParsesLoggerUdpDatagram()
    {
        var (_, message) = Parse(Bytes(LoggerUdp));

        Assert.Equal(Facility.Daemon, message.Facility);
        Assert.Equal(Severity.Warning, message.Severity);
        AssertTimestamp(LoggerSecond.AddTicks(3_073_060), 6, message.Timestamp);
        Assert.Equal("vm", message.HostName);
        Assert.Equal("hello udp", message.MessageText);
    }

    [Fact]
    public void ParsesBothFramesOfTheLoggerTwoLineConnection()
    {
        var (_, first) = Parse(OctetCounted(LoggerTwoLinesFirst));
        var (_, second) = Parse(OctetCounted(LoggerTwoLinesSecond));

        Assert.Equal(Facility.Local1, first.Facility);
        Assert.Equal(Severity.Debug, first.Severity);
        Assert.Equal("multi", first.AppName);
        AssertTimestamp(LoggerSecond.AddTicks(3_141_890), 6, first.Timestamp);
        Assert.Equal("line one", first.MessageText);
        Assert.Equal(143, second.Priority.Value);
        AssertTimestamp(LoggerSecond.AddTicks(3_142_600), 6, second.Timestamp);
        Assert.Equal("line two", second.MessageText);
    }

    [Fact]
    public void ParsesTheMinimalLoggerFrameWithNilTimestamp()
    {
        var (_, message) = Parse(OctetCounted(LoggerMinimal));

        Assert.Equal(13, message.Priority.Value);
        Assert.False(message.Timestamp.HasValue);
        Assert.Equal(SyslogTimestamp.Nil, message.Timestamp);
        Assert.Null(message.HostName);
        Assert.Equal("min", message.AppName);
        Assert.Null(message.ProcId);
        Assert.Null(message.MsgId);
        Assert.Empty(message.StructuredData);
        Assert.Equal("minimal header", message.MessageText);
    }

    [Fact]
    public void ParsesLoggerFrameWithThreeElementsAndUtf8Message()
    {
        var (_, message) = Parse(OctetCounted(LoggerSdUtf8));

        Assert.Equal(187, message.Priority.Value);
        Assert.Equal(Facility.Local7, message.Facility);
        Assert.Equal(Severity.Error, message.Severity);
        AssertTimestamp(new DateTimeOffset(2026, 11, 22, 4, 46, 8, TimeSpan.Zero).AddTicks(5_189_870), 6, message.Timestamp);
        Assert.Equal("23100", message.ProcId);
        Assert.Equal("ID47", message.MsgId);
        Assert.Equal(3, message.StructuredData.Count);
        AssertElement(message.StructuredData[0], "timeQuality", ("tzKnown", "1"), ("isSynced", "0"));
        AssertElement(message.StructuredData[1], "exampleSDID@32473", ("iut", "3"), ("eventSource", "Application"));
        AssertElement(message.StructuredData[2], "origin", ("ip", "127.0.0.1"));
        Assert.False(message.HasBom);
        Assert.Equal("with structured data \u00FCn\u00EFc\u00F6d\u00E9"u8.ToArray(), message.Message.ToArray());
    }

    [Fact]
    public void ParsesLoggerFrameWithEscapedParamValue()
    {
        byte[] frame = OctetCounted(LoggerEscapedSd);
        var (header, message) = Parse(frame);

        AssertElement(message.StructuredData[1], "x@1", ("k", "a\"b\\c]d"));
        Assert.Equal("escaped sd", message.MessageText);

        // The header keeps the value escaped, exactly as on the wire.
        var reader = new StructuredDataReader(header.StructuredData.Slice(frame));
        Assert.True(reader.ReadElement(out _));
        Assert.True(reader.ReadElement(out var id));
        Assert.Equal("x@1"u8.ToArray(), id.ToArray());
        Assert.True(reader.ReadParameter(out var name, out var value));
        Assert.Equal("k"u8.ToArray(), name.ToArray());
        Assert.Equal("a\\\"b\\\\c\\]d"u8.ToArray(), value.ToArray());
    }

    [Fact]
    public void ParsesRsyslogForwardedFrameAndStripsItsLf()
    {
        var (_, message) = Parse(OctetCounted(RsyslogOmfwdOctet));

        Assert.Equal(Facility.Local0, message.Facility);
        Assert.Equal(Severity.Informational, message.Severity);
        AssertTimestamp(new DateTimeOffset(2026, 11, 22, 4, 46, 37, TimeSpan.Zero).AddTicks(7_067_840), 6, message.Timestamp);
        Assert.Equal("myapp", message.AppName);
        Assert.Equal("23591", message.ProcId);
        Assert.Equal("MID", message.MsgId);
        Assert.Equal(2, message.StructuredData.Count);
        AssertElement(message.StructuredData[1], "ex@32473", ("a", "1"));
        Assert.Equal("via rsyslog udp in \u00FCn\u00EF"u8.ToArray(), message.Message.ToArray());
    }

    [Fact]
    public void ParsesRsyslogConvertedLegacyFrameKeepingTheLeadingSpaceOfMsg()
    {
        var (_, message) = Parse(OctetCounted(RsyslogFrom3164));

        Assert.Equal(Facility.Mail, message.Facility);
        Assert.Equal(Severity.Error, message.Severity);
        AssertTimestamp(new DateTimeOffset(2026, 11, 22, 4, 46, 37, TimeSpan.Zero), 0, message.Timestamp);
        Assert.Equal("vm", message.HostName);
        Assert.Equal("oldapp", message.AppName);
        Assert.Null(message.ProcId);
        Assert.Null(message.MsgId);
        Assert.Empty(message.StructuredData);
        Assert.Equal(" legacy 3164 in"u8.ToArray(), message.Message.ToArray());
    }

    [Fact]
    public void StripsOnlyOneTrailingLf()
    {
        var (_, message) = Parse(Bytes("<13>1 - - - - - - two\n\n"));

        Assert.Equal("two\n"u8.ToArray(), message.Message.ToArray());
    }

    [Fact]
    public void AFrameEndingInNilStructuredDataAndLfHasNoMessage()
    {
        var (header, message) = Parse(Bytes("<13>1 - - - - - -\n"));

        Assert.False(message.HasMessage);
        Assert.True(header.Message.IsEmpty);
    }

    [Fact]
    public void ASpaceAfterStructuredDataIsAnEmptyMessage()
    {
        var (header, message) = Parse(Bytes("<13>1 - - - - - - "));

        Assert.True(message.HasMessage);
        Assert.Equal(new FieldRange(18, 0), header.Message);
    }

    [Fact]
    public void ABomAloneIsAnEmptyUtf8Message()
    {
        var (_, message) = Parse(Bytes("<13>1 - - - - - - " + Bom));

        Assert.True(message.HasMessage);
        Assert.True(message.HasBom);
        Assert.Equal(0, message.Message.Length);
    }

    [Fact]
    public void AMessageWithoutBomMayHoldAnyBytes()
    {
        // RFC 5424 §6.4: without the BOM the MSG encoding is unknown, so it is not validated.
        var (_, message) = Parse(Bytes("<13>1 - - - - - - \u00FF\u00FE\u0000x"));

        Assert.False(message.HasBom);
        Assert.Equal(new byte[] { 0xFF, 0xFE, 0x00, (byte)'x' }, message.Message.ToArray());
    }

    [Theory]
    [InlineData("<0>1 - - - - - -", 0, Facility.Kernel, Severity.Emergency)]
    [InlineData("<7>1 - - - - - -", 7, Facility.Kernel, Severity.Debug)]
    [InlineData("<8>1 - - - - - -", 8, Facility.User, Severity.Emergency)]
    [InlineData("<191>1 - - - - - -", 191, Facility.Local7, Severity.Debug)]
    public void SplitsPriorityIntoFacilityAndSeverity(string frame, int value, Facility facility, Severity severity)
    {
        var (_, message) = Parse(Bytes(frame));

        Assert.Equal(value, message.Priority.Value);
        Assert.Equal(facility, message.Facility);
        Assert.Equal(severity, message.Severity);
    }

    [Theory]
    [InlineData("<13>2 - - - - - -", 2)]
    [InlineData("<13>10 - - - - - -", 10)]
    [InlineData("<13>999 - - - - - -", 999)]
    public void AcceptsAnyVersionOfOneToThreeDigits(string frame, int version)
    {
        Assert.Equal(version, Parse(Bytes(frame)).Message.Version);
    }

    [Fact]
    public void AcceptsHeaderFieldsAtTheirMaximumLengths()
    {
        string host = new('h', 255), app = new('a', 48), proc = new('p', 128), msgId = new('m', 32);

        var (_, message) = Parse(Bytes($"<13>1 - {host} {app} {proc} {msgId} - x"));

        Assert.Equal(host, message.HostName);
        Assert.Equal(app, message.AppName);
        Assert.Equal(proc, message.ProcId);
        Assert.Equal(msgId, message.MsgId);
    }

    [Fact]
    public void AcceptsLowerCaseTAndZAndNineFractionDigits()
    {
        var (_, message) = Parse(Bytes("<13>1 2004-02-29t23:59:59.123456789z h a - - - x"));

        AssertTimestamp(new DateTimeOffset(2004, 2, 29, 23, 59, 59, TimeSpan.Zero).AddTicks(1_234_567), 9, message.Timestamp);
    }

    [Fact]
    public void KeepsRepeatedParamNamesInOrder()
    {
        var (_, message) = Parse(Bytes("<13>1 - - - - - [a@1 x=\"1\" x=\"2\" y=\"\"][b@1] m"));

        AssertElement(message.StructuredData[0], "a@1", ("x", "1"), ("x", "2"), ("y", ""));
        AssertElement(message.StructuredData[1], "b@1");
    }

    [Fact]
    public void KeepsABackslashBeforeAnOrdinaryCharacter()
    {
        // RFC 5424 §6.3.3: '\' before anything but '"', '\' or ']' is a literal backslash.
        var (_, message) = Parse(Bytes("<13>1 - - - - - [a@1 p=\"C:\\temp\\x\"]"));

        AssertElement(Assert.Single(message.StructuredData), "a@1", ("p", "C:\\temp\\x"));
    }

    [Fact]
    public void AcceptsAnUnescapedClosingBracketInsideAValue()
    {
        // §6.3.3 says ']' MUST be escaped, but only '"' ends a value; rsyslog accepts it too.
        var (_, message) = Parse(Bytes("<13>1 - - - - - [a@1 p=\"x]y\"] m"));

        AssertElement(Assert.Single(message.StructuredData), "a@1", ("p", "x]y"));
        Assert.Equal("m", message.MessageText);
    }

    [Fact]
    public void AcceptsUtf8InParamValues()
    {
        var (_, message) = Parse(Encoding.UTF8.GetBytes("<13>1 - - - - - [a@1 p=\"\u00FC\U0001F600\u20AC\"]"));

        AssertElement(Assert.Single(message.StructuredData), "a@1", ("p", "\u00FC\U0001F600\u20AC"));
    }

    [Fact]
    public void ReportsNoErrorOnSuccess()
    {
        var status = Rfc5424Parser.TryParse(Bytes(RfcExample1), out _, out var error);

        Assert.Equal(OperationStatus.Done, status);
        Assert.False(error.IsError);
        Assert.Equal(SyslogParseError.None, error);
        Assert.Equal("no error", error.ToString());
    }

    internal static (SyslogHeader Header, SyslogMessage Message) Parse(byte[] frame)
    {
        var status = Rfc5424Parser.TryParse(frame, out var header, out var error);
        Assert.True(status == OperationStatus.Done, $"expected Done, got {status}: {error}");
        return (header, SyslogMessage.Create(frame, header));
    }

    private static void AssertTimestamp(DateTimeOffset expected, int fractionDigits, SyslogTimestamp actual)
    {
        Assert.True(actual.HasValue);
        Assert.Equal(expected.UtcTicks, actual.Value.UtcTicks);
        Assert.Equal(expected.Offset, actual.Value.Offset);
        Assert.Equal(fractionDigits, actual.FractionDigits);
    }

    private static void AssertElement(StructuredDataElement element, string id, params (string Name, string Value)[] parameters)
    {
        Assert.Equal(id, element.Id);
        Assert.Equal(parameters.Select(p => KeyValuePair.Create(p.Name, p.Value)), element.Parameters);
    }
}
