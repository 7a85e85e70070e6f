using System.Buffers;
using System.Text;
using Collector.Storage;
using Shared.Syslog;

namespace Collector.Tests.Storage;

public sealed class LineFormatterTests
{
    private const string Peer = "192.0.2.7";
    private const string ReceivedAtFile = "2026-03-04T05:06:07.123456Z";
    private const string ReceivedAtTraditional = "Mar  4 05:06:07";
    private static readonly DateTimeOffset ReceivedAt = new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero).AddTicks(1_234_567);

    private const string WithSd = "<134>1 2026-11-22T10:00:00.123456Z node-1 app 42 ID7 [k8s@32473 namespace=\"web\"] hello";
    private const string WithoutSd = "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 - An application event";
    private const string Bsd = "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8";

    [Theory]
    [InlineData(LineFormat.File, "2026-11-22T10:00:00.123456Z node-1 web/-/- ID7: hello\tapp[42]: local0.info ID7 [k8s@32473 namespace=\"web\"]")]
    [InlineData(LineFormat.Traditional, "Nov 22 10:00:00 node-1 app[42]: hello")]
    [InlineData(LineFormat.Rfc5424, WithSd)]
    public void AnRfc5424MessageWithStructuredData(LineFormat format, string expected) =>
        Assert.Equal(expected, Format(format, WithSd));

    [Theory]
    [InlineData(LineFormat.File, "2003-10-11T22:14:15.003Z mymachine.example.com evntslog: local4.notice ID47 - An application event")]
    [InlineData(LineFormat.Traditional, "Oct 11 22:14:15 mymachine.example.com evntslog: An application event")]
    [InlineData(LineFormat.Rfc5424, WithoutSd)]
    public void AnRfc5424MessageWithoutStructuredDataHasANilInItsPlace(LineFormat format, string expected) =>
        Assert.Equal(expected, Format(format, WithoutSd));

    [Theory]
    [InlineData(LineFormat.File, ReceivedAtFile + " " + Peer + " -: user.notice - -")]
    [InlineData(LineFormat.Traditional, ReceivedAtTraditional + " " + Peer + " -:")]
    [InlineData(LineFormat.Rfc5424, "<13>1 - - - - - -")]
    public void NilTimestampAndHostnameBecomeTheReceiptTimeAndThePeer(LineFormat format, string expected) =>
        Assert.Equal(expected, Format(format, "<13>1 - - - - - -"));

    [Theory]
    [InlineData(LineFormat.File, ReceivedAtFile + " " + Peer + " -: user.notice - - just text")]
    [InlineData(LineFormat.Traditional, ReceivedAtTraditional + " " + Peer + " -: just text")]
    public void NilFieldsAroundAMessage(LineFormat format, string expected) =>
        Assert.Equal(expected, Format(format, "<13>1 - - - - - - just text"));

    [Fact]
    public void ANilHostnameIsReplacedByAnIPv6Peer()
    {
        var context = new FrameContext(Encoding.ASCII.GetBytes("2001:db8::1"), ReceivedAt);
        Assert.Equal(
            "2026-01-02T03:04:05Z 2001:db8::1 app: user.info - - hi",
            Format(LineFormat.File, "<14>1 2026-01-02T03:04:05Z - app - - - hi", context));
    }

    [Theory]
    [InlineData(LineFormat.File, "2026-01-02T03:04:05+02:00 h app: user.info - - café")]
    [InlineData(LineFormat.Traditional, "Jan  2 03:04:05 h app: café")]
    [InlineData(LineFormat.Rfc5424, "<14>1 2026-01-02T03:04:05+02:00 h app - - - \uFEFFcafé")]
    public void TheBomIsDroppedFromMsgButKeptInTheFrameAsReceived(LineFormat format, string expected) =>
        Assert.Equal(expected, Format(format, "<14>1 2026-01-02T03:04:05+02:00 h app - - - \uFEFFcafé"));

    [Theory]
    [InlineData(LineFormat.File, "2026-01-02T03:04:05Z h app: user.notice - - first#012second#011third#015 end")]
    [InlineData(LineFormat.Traditional, "Jan  2 03:04:05 h app: first#012second#011third#015 end")]
    [InlineData(LineFormat.Rfc5424, "<13>1 2026-01-02T03:04:05Z h app - - - first#012second#011third#015 end#012")]
    public void ControlCharactersInMsgAreEscapedAndTheTrailingLfIsNotPartOfIt(LineFormat format, string expected) =>
        Assert.Equal(expected, Format(format, "<13>1 2026-01-02T03:04:05Z h app - - - first\nsecond\tthird\r end\n"));

    [Fact]
    public void NulAndDelInMsgAreEscapedAndUtf8IsKept() =>
        Assert.Equal(
            "2026-01-02T03:04:05Z h app: user.notice - - a#000b#177c ünï 日本",
            Format(LineFormat.File, "<13>1 2026-01-02T03:04:05Z h app - - - a\0b\u007Fc ünï 日本"));

    [Fact]
    public void ControlCharactersInStructuredDataAreEscaped() =>
        Assert.Equal(
            "2026-01-02T03:04:05Z h app: user.notice - [x@1 v=\"a#011b\"] m",
            Format(LineFormat.File, "<13>1 2026-01-02T03:04:05Z h app - - [x@1 v=\"a\tb\"] m"));

    [Theory]
    [InlineData(LineFormat.File, "2025-10-11T22:14:15Z mymachine su: auth.crit - - 'su root' failed for lonvick on /dev/pts/8")]
    [InlineData(LineFormat.Traditional, "Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8")]
    [InlineData(LineFormat.Rfc5424, Bsd)]
    public void AnRfc3164MessageIsDatedInTheLatestYearThatIsNotInTheFuture(LineFormat format, string expected) =>
        Assert.Equal(expected, Format(format, Bsd));

    [Theory]
    [InlineData(LineFormat.File, "2026-03-04T05:06:00Z node-2 kubelet[1234]: daemon.info - - I0304 started")]
    [InlineData(LineFormat.Traditional, "Mar  4 05:06:00 node-2 kubelet[1234]: I0304 started")]
    public void AnRfc3164MessageWithAProcessId(LineFormat format, string expected) =>
        Assert.Equal(expected, Format(format, "<30>Mar  4 05:06:00 node-2 kubelet[1234]: I0304 started"));

    [Theory]
    [InlineData(LineFormat.File, ReceivedAtFile + " " + Peer + " kernel: user.notice - - oops#011here")]
    [InlineData(LineFormat.Traditional, ReceivedAtTraditional + " " + Peer + " kernel: oops#011here")]
    [InlineData(LineFormat.Rfc5424, "kernel: oops#011here")]
    public void AnRfc3164MessageWithoutPriorityOrTimestampGetsUserNoticeTheReceiptTimeAndThePeer(LineFormat format, string expected) =>
        Assert.Equal(expected, Format(format, "kernel: oops\there"));

    [Theory]
    [InlineData(
        LineFormat.File,
        ReceivedAtFile + " " + Peer
            + " -: - - [kube-syslog@32473 unparsed=\"TimestampInvalid at 6\"] <13>1 not#011a#012timestamp")]
    [InlineData(
        LineFormat.Traditional,
        ReceivedAtTraditional + " " + Peer
            + " -: [kube-syslog@32473 unparsed=\"TimestampInvalid at 6\"] <13>1 not#011a#012timestamp")]
    [InlineData(LineFormat.Rfc5424, "<13>1 not#011a#012timestamp")]
    public void AnUnparsableFrameIsStoredRawEscapedAndSaysWhy(LineFormat format, string expected) =>
        Assert.Equal(expected, Format(format, "<13>1 not\ta\ntimestamp"));

    [Fact]
    public void AnEmptyFrameIsStoredAsAnUnparsableOne() =>
        Assert.Equal(ReceivedAtFile + " " + Peer + " -: - - [kube-syslog@32473 unparsed=\"EmptyMessage at 0\"]", Format(LineFormat.File, ""));

    [Theory]
    [InlineData(
        LineFormat.File,
        "2026-11-22T10:00:00.123456Z node-1 web/-/- ID7: hello\tapp[42]: local0.info ID7 [k8s@32473 namespace=\"web\"]" +
        "[kube-syslog@32473 truncated=\"100000\"]")]
    [InlineData(LineFormat.Traditional, "Nov 22 10:00:00 node-1 app[42]: [kube-syslog@32473 truncated=\"100000\"] hello")]
    public void ATruncatedMessageIsMarkedWithItsOriginalLengthAfterItsStructuredData(LineFormat format, string expected) =>
        Assert.Equal(expected, Format(format, WithSd, Truncated(100_000)));

    [Theory]
    [InlineData(
        LineFormat.File,
        "2026-11-22T10:00:00.123456Z node-1 web/-/- ID7: hello\tapp[42]: local0.info ID7 [k8s@32473 namespace=\"web\"]" +
        "[kube-syslog@32473 truncated=\"100000\" spoofed=\"true\" peer=\"node-2.nodes.test\"]")]
    [InlineData(
        LineFormat.Traditional,
        "Nov 22 10:00:00 node-1 app[42]: [kube-syslog@32473 truncated=\"100000\" spoofed=\"true\" peer=\"node-2.nodes.test\"] hello")]
    [InlineData(LineFormat.Rfc5424, "<134>1 2026-11-22T10:00:00.123456Z node-1 app 42 ID7 [k8s@32473 namespace=\"web\"] hello")]
    public void AMessageFromAnotherNodesCertificateNamesThatPeerInTheMarker(LineFormat format, string expected) =>
        Assert.Equal(expected, Format(format, WithSd, Truncated(100_000) with { SpoofedBy = Encoding.ASCII.GetBytes("node-2.nodes.test") }));

    [Theory]
    [InlineData(
        LineFormat.File,
        "2003-10-11T22:14:15.003Z mymachine.example.com evntslog: local4.notice ID47 [kube-syslog@32473 " +
        "truncated=\"unknown\"] An application event")]
    [InlineData(
        LineFormat.Traditional,
        "Oct 11 22:14:15 mymachine.example.com evntslog: [kube-syslog@32473 truncated=\"unknown\"] " +
        "An application event")]
    public void ATruncatedMessageOfUnknownLengthTakesThePlaceOfNilStructuredData(LineFormat format, string expected) =>
        Assert.Equal(expected, Format(format, WithoutSd, Truncated(-1)));

    [Fact]
    public void ATruncatedRfc3164MessageIsMarked() =>
        Assert.Equal(
            "2025-10-11T22:14:15Z mymachine su: auth.crit - [kube-syslog@32473 truncated=\"2048\"] 'su root' failed for lonvick on /dev/pts/8",
            Format(LineFormat.File, Bsd, Truncated(2048)));

    [Theory]
    [InlineData(
        LineFormat.File,
        ReceivedAtFile + " " + Peer
            + " -: - - [kube-syslog@32473 truncated=\"70000\" unparsed=\"SdElementUnterminated at 35\"] "
            + "<13>1 - h app - - [x@1 k=\"v\"][y@1 k")]
    [InlineData(
        LineFormat.Traditional,
        ReceivedAtTraditional + " " + Peer
            + " -: [kube-syslog@32473 truncated=\"70000\" unparsed=\"SdElementUnterminated at 35\"] "
            + "<13>1 - h app - - [x@1 k=\"v\"][y@1 k")]
    public void AFrameCutInsideItsStructuredDataIsBothTruncatedAndUnparsed(LineFormat format, string expected) =>
        Assert.Equal(expected, Format(format, "<13>1 - h app - - [x@1 k=\"v\"][y@1 k", Truncated(70_000)));

    [Fact]
    public void TheRfc5424FormatStoresATruncatedFrameAsReceived() =>
        Assert.Equal(WithSd, Format(LineFormat.Rfc5424, WithSd, Truncated(100_000)));

    [Theory]
    [InlineData(0, "kern.emerg")]
    [InlineData(13, "user.notice")]
    [InlineData(34, "auth.crit")]
    [InlineData(43, "syslog.err")]
    [InlineData(78, "cron.info")]
    [InlineData(84, "authpriv.warning")]
    [InlineData(97, "ntp.alert")]
    [InlineData(134, "local0.info")]
    [InlineData(191, "local7.debug")]
    public void PriorityNamesAreRsyslogs(int priority, string name)
    {
        Assert.Equal($"2026-01-02T03:04:05Z h a: {name} - - m", Format(LineFormat.File, $"<{priority}>1 2026-01-02T03:04:05Z h a - - - m"));
        Assert.Equal($"2026-01-02T03:04:05Z h a: {name} - - m", Format(LineFormat.File, $"<{priority}>2026-01-02T03:04:05Z h a: m"));
    }

    [Fact]
    public void EveryPriorityHasItsFacilityAndSeverityName()
    {
        string[] facilities =
        [
            "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp",
            "ntp", "audit", "alert", "clock", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
        ];
        string[] severities = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"];
        for (int priority = 0; priority <= 191; priority++)
        {
            string line = Format(LineFormat.File, $"<{priority}>1 - h a - - -");
            Assert.Equal($"{ReceivedAtFile} h a: {facilities[priority >> 3]}.{severities[priority & 7]} - -", line);
        }
    }

    [Fact]
    public void NoLineHasAControlCharacterBeforeItsLfOrOutgrowsMaxLineLength()
    {
        var random = new Random(20260304);
        string[] starts = [
            "<13>1 ",
            "<13>1 - h a - - ",
            "<13>1 2026-01-02T03:04:05Z h a p m [x@1 k=\"",
            "<34>",
            "<34>Oct 11 22:14:15 h t[1]: ",
            "",
            "<999>"];
        var formatters = Enum.GetValues<LineFormat>().Select(f => new LineFormatter(f)).ToArray();
        for (int i = 0; i < 3000; i++)
        {
            var frame = new List<byte>(Encoding.ASCII.GetBytes(starts[random.Next(starts.Length)]));
            int tail = random.Next(0, 300);
            for (int j = 0; j < tail; j++)
            {
                frame.Add(random.Next(4) == 0 ? (byte)random.Next(0, 32) : (byte)random.Next(0, 256));
            }

            var bytes = frame.ToArray();
            var context = new FrameContext("peer.example"u8.ToArray(), ReceivedAt, random.Next(2) == 0, random.Next(-1, 1 << 20));
            bool parsed = SyslogParser.TryParse(bytes, ReceivedAt, out var header, out var error) == OperationStatus.Done;
            foreach (var formatter in formatters)
            {
                var destination = new byte[LineFormatter.MaxLineLength(bytes.Length, context.Peer.Length)];
                int n = formatter.Write(destination, bytes, header, parsed ? default : error, context);
                Assert.Equal((byte)'\n', destination[n - 1]);
                int bad = destination.AsSpan(0, n - 1).IndexOfAnyInRange((byte)0, (byte)31);
                Assert.True(
                    bad < 0 && !destination.AsSpan(0, n - 1).Contains((byte)127),
                    $"{formatter.Format}: control byte in line for frame {Convert.ToHexString(bytes)}");
            }
        }
    }

    private static FrameContext Truncated(long originalLength) => new(Encoding.ASCII.GetBytes(Peer), ReceivedAt, true, originalLength);

    private static string Format(LineFormat format, string frame, FrameContext? context = null) =>
        Format(format, Encoding.UTF8.GetBytes(frame), context ?? new FrameContext(Encoding.ASCII.GetBytes(Peer), ReceivedAt));

    /// <summary>Parses and formats the frame the way an ingest loop does; returns the line without its LF.</summary>
    private static string Format(LineFormat format, byte[] frame, FrameContext context)
    {
        bool parsed = SyslogParser.TryParse(frame, context.ReceivedAt, out var header, out var error) == OperationStatus.Done;
        var destination = new byte[LineFormatter.MaxLineLength(frame.Length, context.Peer.Length)];
        int n = new LineFormatter(format).Write(destination, frame, header, parsed ? default : error, context);
        Assert.Equal((byte)'\n', destination[n - 1]);
        Assert.Equal(-1, destination.AsSpan(0, n - 1).IndexOf((byte)'\n'));
        return Encoding.UTF8.GetString(destination, 0, n - 1);
    }
}
