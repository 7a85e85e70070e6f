using System.Buffers;
using System.Text;
using Shared.Syslog;

namespace Shared.Tests.Syslog;

public sealed class SyslogParserTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 4, 47, 0, TimeSpan.Zero);

    // Captured frames from NOTES-dotnet.md, without the octet-counting prefix the framer removes.
    [Theory]
    [InlineData(
        "<134>1 2026-11-22T04:45:59.303510+00:00 vm myapp - - [timeQuality tzKnown=\"1\" isSynced=\"0\"] " +
        "hello octet counted",
        "myapp",
        "hello octet counted")]
    [InlineData(
        "<13>1 2026-11-22T04:45:59.305709+00:00 vm myapp - - [timeQuality tzKnown=\"1\" isSynced=\"0\"] " +
        "hello non-transparent\n",
        "myapp",
        "hello non-transparent")]
    [InlineData("<28>1 2026-11-22T04:45:59.307306+00:00 vm myapp - - [timeQuality tzKnown=\"1\" isSynced=\"0\"] hello udp", "myapp", "hello udp")]
    [InlineData("<13>1 - - min - - - minimal header", "min", "minimal header")]
    [InlineData("<19>1 2026-11-22T04:46:37+00:00 vm oldapp - - -  legacy 3164 in\n", "oldapp", " legacy 3164 in")]
    public void CapturedRfc5424FramesAreParsedAsRfc5424(string text, string appName, string body)
    {
        byte[] frame = Encoding.UTF8.GetBytes(text);

        Assert.Equal(SyslogFormat.Rfc5424, SyslogParser.Detect(frame));
        Assert.Equal(OperationStatus.Done, SyslogParser.TryParse(frame, Now, out var header, out var error));

        Assert.Equal(SyslogParseError.None, error);
        var message = SyslogMessage.Create(frame, header);
        Assert.Equal(SyslogFormat.Rfc5424, message.Format);
        Assert.Equal(1, message.Version);
        Assert.Equal(appName, message.AppName);
        Assert.Equal(body, message.MessageText);
    }

    [Fact]
    public void TheCapturedRfc3164FrameIsParsedAsRfc3164()
    {
        byte[] frame = "<34>Nov 22 04:45:59 vm myapp: rfc3164 over tcp\n"u8.ToArray();

        Assert.Equal(SyslogFormat.Rfc3164, SyslogParser.Detect(frame));
        Assert.Equal(OperationStatus.Done, SyslogParser.TryParse(frame, Now, out var header, out var error));

        Assert.Equal(SyslogParseError.None, error);
        var message = SyslogMessage.Create(frame, header);
        Assert.Equal(SyslogFormat.Rfc3164, message.Format);
        Assert.Equal(0, message.Version);
        Assert.Equal(SyslogPriority.FromValue(34), message.Priority);
        Assert.Equal("2026-11-22T04:45:59Z", message.Timestamp.ToString());
        Assert.Equal("vm", message.HostName);
        Assert.Equal("myapp", message.AppName);
        Assert.Equal("rfc3164 over tcp", message.MessageText);
    }

    [Theory]
    [InlineData("<13>1 ", SyslogFormat.Rfc5424)] // the shape alone decides, even if the rest is missing
    [InlineData("<0>1 -", SyslogFormat.Rfc5424)]
    [InlineData("<191>1 x", SyslogFormat.Rfc5424)]
    [InlineData("<13>10 apples", SyslogFormat.Rfc3164)] // only VERSION 1 exists; rsyslog's pmrfc5424 checks for "1 " too
    [InlineData("<13>2 apples", SyslogFormat.Rfc3164)]
    [InlineData("<13>1", SyslogFormat.Rfc3164)] // no SP after the version
    [InlineData("<13>1\n", SyslogFormat.Rfc3164)]
    [InlineData("<13>1x", SyslogFormat.Rfc3164)]
    [InlineData("<13> 1 x", SyslogFormat.Rfc3164)]
    [InlineData("<013>1 x", SyslogFormat.Rfc3164)] // an invalid PRI is never RFC 5424
    [InlineData("<192>1 x", SyslogFormat.Rfc3164)]
    [InlineData("1 x", SyslogFormat.Rfc3164)]
    [InlineData("<13>Nov 22 04:45:59 vm app: x", SyslogFormat.Rfc3164)]
    [InlineData("<13>2026-11-22T04:45:59Z vm app: x", SyslogFormat.Rfc3164)] // an ISO timestamp without VERSION
    [InlineData("", SyslogFormat.Rfc3164)]
    public void OnlyAValidPriFollowedByVersionOneAndASpaceIsRfc5424(string text, SyslogFormat expected)
    {
        Assert.Equal(expected, SyslogParser.Detect(Encoding.ASCII.GetBytes(text)));
    }

    [Theory]
    [InlineData("<13>10 apples", "10", "apples")]
    [InlineData("<13>2 - - - - - -", "2", "- - - - - -")]
    [InlineData("<13>1x", "1x", "")]
    public void FramesThatOnlyResembleRfc5424AreReadAsRfc3164(string text, string appName, string body)
    {
        byte[] frame = Encoding.ASCII.GetBytes(text);

        Assert.Equal(OperationStatus.Done, SyslogParser.TryParse(frame, Now, out var header, out _));

        var message = SyslogMessage.Create(frame, header);
        Assert.Equal(SyslogFormat.Rfc3164, message.Format);
        Assert.Equal(SyslogPriority.Default, message.Priority);
        Assert.False(message.Timestamp.HasValue);
        Assert.Equal(appName, message.AppName);
        Assert.Equal(body, message.MessageText);
    }

    [Theory]
    [InlineData("<13>1 garbage", SyslogParseErrorCode.TimestampInvalid)]
    [InlineData("<13>1 ", SyslogParseErrorCode.TimestampInvalid)]
    [InlineData("<13>1 - - - - - [x@1 k=\"v\"", SyslogParseErrorCode.SdElementUnterminated)]
    [InlineData("<13>1 2026-11-22T04:45:59Z vm app - -", SyslogParseErrorCode.SpaceExpected)]
    public void AFrameThatClaimsRfc5424ButBreaksItGetsTheRfc5424Error(string text, SyslogParseErrorCode code)
    {
        byte[] frame = Encoding.ASCII.GetBytes(text);

        var status = SyslogParser.TryParse(frame, Now, out var header, out var error);

        Assert.Equal(OperationStatus.InvalidData, status);
        Assert.Equal(code, error.Code);
        Assert.Equal(default, header);
        Assert.Equal(OperationStatus.InvalidData, Rfc5424Parser.TryParse(frame, out _, out var direct));
        Assert.Equal(direct, error);
    }

    [Fact]
    public void AnEmptyFrameIsInvalid()
    {
        var status = SyslogParser.TryParse([], Now, out _, out var error);

        Assert.Equal(OperationStatus.InvalidData, status);
        Assert.Equal(new SyslogParseError(SyslogParseErrorCode.EmptyMessage, 0), error);
    }

    [Fact]
    public void NowDatesRfc3164TimestampsThroughTheAutoDetectingParser()
    {
        byte[] frame = "<13>Dec 31 23:59:58 vm app: x"u8.ToArray();

        SyslogParser.TryParse(frame, new DateTimeOffset(2027, 1, 1, 0, 0, 5, TimeSpan.FromHours(2)), out var header, out _);

        Assert.Equal("2026-12-31T23:59:58+02:00", header.Timestamp.ToString());
    }
}
