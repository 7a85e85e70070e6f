using System.Buffers;
using System.Text;
using Collector.Sources;
using Collector.Storage;
using Shared.Syslog;

namespace Collector.Tests.Storage;

/// <summary>
/// The <c>file</c> format's message-first lines (messages with a Kubernetes identity): where the message starts, and
/// that the reader recovers from them everything the older layout kept, however hostile the message and the SD.
/// </summary>
public sealed class MessageFirstLineTests
{
    private const string Peer = "192.0.2.7";
    private static readonly DateTimeOffset ReceivedAt = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);

    /// <summary>What the Forwarder sends for a line of a Deployment's pod (its origin element included).</summary>
    private const string ExampleFrame =
        "<134>1 2026-11-22T10:00:00.123456Z node-1 web - stdout [k8s@32473 namespace=\"shop\" " +
        "pod=\"web-7d9f8c6b5d-x2k4p\" container=\"web\" " +
        "container_id=\"containerd://0b3c5e1f9a7d2c4b6e8f0a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e1f3a5b7c9d\" " +
        "pod_uid=\"6f1c2a8e-93b4-4d2f-a1c7-5e8b9d0f2a31\"][o@32473 s=\"9f2c41d07e5ab318\" p=\"48213-48377\"] " +
        "GET /cart 200 12ms";

    [Fact]
    public void TheExamplePodsMessageStartsBeforeColumn100AndEverythingElseFollowsItsTab()
    {
        string line = Format(ExampleFrame);

        Assert.Equal(
            "2026-11-22T10:00:00.123456Z node-1 shop/web-7d9f8c6b5d-x2k4p/web stdout: GET /cart 200 12ms\t" +
            "web: local0.info stdout [k8s@32473 namespace=\"shop\" pod=\"web-7d9f8c6b5d-x2k4p\" container=\"web\" " +
            "container_id=\"containerd://0b3c5e1f9a7d2c4b6e8f0a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e1f3a5b7c9d\" " +
            "pod_uid=\"6f1c2a8e-93b4-4d2f-a1c7-5e8b9d0f2a31\"][o@32473 s=\"9f2c41d07e5ab318\" p=\"48213-48377\"]",
            line);
        int column = line.IndexOf("GET /cart", StringComparison.Ordinal) + 1;
        Assert.Equal(74, column);
        Assert.True(column <= 100);
        Assert.Contains(" shop/web-", line, StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutAStreamTheSeverityStandsInItsPlaceAndAnEmptyMessageLeavesNothingBeforeTheTab() =>
        Assert.Equal(
            "2026-01-02T03:04:05Z h ns/-/c err:\tapp[9]: local0.err - [k8s@32473 namespace=\"ns\" container=\"c\"]",
            Format("<131>1 2026-01-02T03:04:05Z h app 9 - [k8s@32473 namespace=\"ns\" container=\"c\"]"));

    [Fact]
    public void SpacesAndControlCharactersInTheIdentityBecomeUnderscoresInFrontOnly()
    {
        string line = Format("<14>1 2026-01-02T03:04:05Z h app - - [k8s@32473 namespace=\"a b\" pod=\"p\tq\" container=\"c\"] m");

        Assert.StartsWith("2026-01-02T03:04:05Z h a_b/p_q/c info: m\t", line, StringComparison.Ordinal);
        Assert.EndsWith("[k8s@32473 namespace=\"a b\" pod=\"p#011q\" container=\"c\"]", line, StringComparison.Ordinal);
    }

    [Fact]
    public void TheFirstNonEmptyValueOfEachIdentityParamIsTheOneInFrontWhateverItsElement() =>
        Assert.StartsWith(
            "2026-01-02T03:04:05Z h n2/p1/c1 info: m\t",
            Format("<14>1 2026-01-02T03:04:05Z h app - - [k8s@32473 namespace=\"\" pod=\"p1\" container=\"c1\"]"
                + "[x@1 namespace=\"n2\" pod=\"p2\" container=\"c2\"][y@1 namespace=\"n3\"] m"),
            StringComparison.Ordinal);

    [Fact]
    public void ATruncatedMessageKeepsItsMarkerAfterTheTab()
    {
        var context = new FrameContext(Encoding.ASCII.GetBytes(Peer), ReceivedAt, Truncated: true, OriginalLength: 200_105);
        string line = Format("<14>1 2026-01-02T03:04:05Z h app - stdout [k8s@32473 pod=\"p\"] cut her", context);

        Assert.Equal(
            "2026-01-02T03:04:05Z h -/p/- stdout: cut her\tapp: user.info stdout [k8s@32473 pod=\"p\"][kube-syslog@32473 truncated=\"200105\"]",
            line);
        Assert.Equal(
            "[k8s@32473 pod=\"p\"][kube-syslog@32473 truncated=\"200105\"]",
            Encoding.UTF8.GetString(StoredLine.Parse(Encoding.UTF8.GetBytes(line)).StructuredData));
    }

    [Theory]
    [InlineData("issue #012 fixed", "issue #043012 fixed")]
    [InlineData("a\nb\tc#d", "a#012b#011c#d")]
    [InlineData("#377 and #400 and #", "#043377 and #400 and #")]
    public void AHashThatReadsAsAnEscapeIsEscapedItselfSoTheMessageComesBackExactly(string message, string stored)
    {
        string line = Format($"<14>1 2026-01-02T03:04:05Z h app - - [k8s@32473 pod=\"p\"] {message}");
        var parsed = StoredLine.Parse(Encoding.UTF8.GetBytes(line));

        Assert.Equal(stored, Encoding.UTF8.GetString(parsed.Message));
        Assert.Equal(message, Unescape(parsed.Message));
    }

    [Fact]
    public void LinesOfOtherSendersKeepTheRsyslogLayout()
    {
        Assert.Equal(
            "2003-10-11T22:14:15.003Z mymachine.example.com evntslog: local4.notice ID47 [exampleSDID@32473 iut=\"3\"] An application event",
            Format("<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\"] An application event"));
        Assert.Equal(
            "2025-10-11T22:14:15Z mymachine su: auth.crit - - 'su root' failed",
            Format("<34>Oct 11 22:14:15 mymachine su: 'su root' failed"));
    }

    /// <summary>
    /// Over many generated messages, hostile ones included (the TAB, quotes, brackets, a fake identity and a fake
    /// origin element in MSG, escapes typed by the application, unicode, empty), the message-first line gives back
    /// every label, the SD exactly as the older layout stored it, the origin, and the message byte for byte; and the
    /// older layout of the same message reads the same.
    /// </summary>
    [Fact]
    public void EveryFieldOfTheOlderLayoutIsRecoveredFromAMessageFirstLine()
    {
        var random = new Random(18);
        for (int i = 0; i < 5000; i++)
        {
            string ns = Value(random), pod = Value(random), container = Value(random);
            string workload = Value(random), name = Value(random), appLabel = Value(random);
            string message = Message(random);
            string msgId = random.Next(3) switch { 0 => "-", 1 => "stdout", _ => "stderr" };
            string sd = $"[k8s@32473 namespace=\"{Escape(ns)}\" pod=\"{Escape(pod)}\" container=\"{Escape(container)}\" " +
                $"container_id=\"cid{i}\" pod_uid=\"uid-{i}\" workload=\"{Escape(workload)}\" " +
                $"l.app.kubernetes.io/name=\"{Escape(name)}\" l.app=\"{Escape(appLabel)}\"][o@32473 s=\"{i:x16}\" p=\"{i * 10}-{(i * 10) + 9}\"]";
            int priority = random.Next(192);
            string frameText = $"<{priority}>1 2026-11-22T10:00:00.{i:000000}Z node-{i % 3} app {i} {msgId} {sd}"
                + (message.Length > 0 ? " " + message : string.Empty);
            byte[] frame = Encoding.UTF8.GetBytes(frameText);
            Assert.Equal(OperationStatus.Done, SyslogParser.TryParse(frame, ReceivedAt, out var header, out _));
            var context = new FrameContext(Encoding.ASCII.GetBytes(Peer), ReceivedAt);
            byte[] line = Encoding.UTF8.GetBytes(Format(frame, context));
            byte[] older = Encoding.UTF8.GetBytes(OlderLayout($"2026-11-22T10:00:00.{i:000000}Z", frame, header));

            var parsed = StoredLine.Parse(line);
            var old = StoredLine.Parse(older);
            // Label values are stored with their control characters escaped, in either layout.
            // Pod labels follow, by name, those with a value only (app is the pod label's label_app).
            string[] expected =
            [
                Stored(ns), Stored(pod), Stored(container), $"node-{i % 3}", "app", LogLabels.SeverityNames[priority & 7], Stored(workload),
                .. name.Length > 0 ? ["app_kubernetes_io_name", Stored(name)] : Array.Empty<string>(),
                .. appLabel.Length > 0 ? ["label_app", Stored(appLabel)] : Array.Empty<string>(),
            ];
            Assert.Equal(expected, parsed.LabelStrings());
            Assert.Equal(expected, old.LabelStrings());
            Assert.Equal(old.TimeNs, parsed.TimeNs);
            Assert.True(parsed.MessageFirst);
            Assert.False(old.MessageFirst);
            Assert.Equal(Escaped(header.StructuredData.Slice(frame)), parsed.StructuredData.ToArray());
            Assert.Equal(old.StructuredData.ToArray(), parsed.StructuredData.ToArray());
            Assert.Equal(message, Unescape(parsed.Message));
            Assert.Equal(Escaped(header.Message.Slice(frame)), old.Message.ToArray());
            Assert.Equal(1, line.Count(b => b == '\t'));

            Assert.True(StoredOrigin.TryFind(line, LineFormat.File, out var originSd, out var host, out var app));
            Assert.True(Origin.TryRead(originSd, out var origin, out _, out _));
            Assert.Equal((ulong)i, origin.Source);
            Assert.Equal(i * 10, origin.From);
            Assert.Equal($"node-{i % 3}", Encoding.UTF8.GetString(host));
            Assert.Equal("app", Encoding.UTF8.GetString(app));
        }
    }

    /// <summary>The layout of k8s lines before message-first ones: <c>TIME HOST TAG PRI MSGID SD MSG</c>.</summary>
    private static string OlderLayout(string time, byte[] frame, in SyslogHeader header)
    {
        string Field(FieldRange range) => Encoding.UTF8.GetString(range.Slice(frame));
        string sd = Encoding.UTF8.GetString(Escaped(header.StructuredData.Slice(frame)));
        string message = header.Message.IsEmpty ? string.Empty : " " + Encoding.UTF8.GetString(Escaped(header.Message.Slice(frame)));
        string[] facilities =
        [
            "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp",
            "ntp", "audit", "alert", "clock", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
        ];
        string priority = $"{facilities[header.Priority.Value >> 3]}.{LogLabels.SeverityNames[header.Priority.Value & 7]}";
        return $"{time} {Field(header.HostName)} {Field(header.AppName)}[{Field(header.ProcId)}]: {priority} " +
            $"{(header.MsgId.IsEmpty ? "-" : Field(header.MsgId))} {sd}{message}";
    }

    private static byte[] Escaped(ReadOnlySpan<byte> text)
    {
        var buffer = new byte[text.Length * ControlCharacters.MaxExpansion];
        return buffer.AsSpan(0, ControlCharacters.WriteEscaped(buffer, text)).ToArray();
    }

    private static string Stored(string value) => Encoding.UTF8.GetString(Escaped(Encoding.UTF8.GetBytes(value)));

    private static string Unescape(ReadOnlySpan<byte> escaped)
    {
        var buffer = new byte[escaped.Length];
        return Encoding.UTF8.GetString(buffer, 0, ControlCharacters.Unescape(escaped, buffer));
    }

    private static readonly string[] Pieces =
    [
        "\t", "\n", "\r\n", " ", "  ", "#012", "#011", "#", "##", "#377", "\"", "\\", "]", "[", "=", "/", ":", ": ",
        " shop/web-1/web stdout: ", "[k8s@32473 namespace=\"evil\" pod=\"x\"]", "[o@32473 s=\"1\" p=\"0-1\"]",
        "ünïcödé", "日本語", "🙂", "\u0000", "\u007F", "\u001B[31m", "GET /cart 200", "x",
    ];

    private static string Message(Random random)
    {
        int count = random.Next(8);
        var text = new StringBuilder();
        for (int i = 0; i < count; i++)
        {
            text.Append(Pieces[random.Next(Pieces.Length)]);
        }

        // A trailing LF ends the frame rather than belonging to MSG (the parser drops it), and a BOM is dropped too.
        return text.ToString().TrimEnd('\n');
    }

    private static string Value(Random random) => random.Next(4) switch
    {
        0 => $"web-{random.Next(1000)}",
        1 => string.Empty,
        2 => "a b/\"c\" ]\\ d\tü",
        _ => "shop",
    };

    private static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("\"", "\\\"", StringComparison.Ordinal)
            .Replace("]", "\\]", StringComparison.Ordinal);

    private static string Format(string frame, FrameContext? context = null) =>
        Format(Encoding.UTF8.GetBytes(frame), context ?? new FrameContext(Encoding.ASCII.GetBytes(Peer), ReceivedAt));

    private static string Format(byte[] frame, FrameContext context)
    {
        bool parsed = SyslogParser.TryParse(frame, context.ReceivedAt, out var header, out var error) == OperationStatus.Done;
        var destination = new byte[LineFormatter.MaxLineLength(frame.Length, context.Peer.Length)];
        int n = new LineFormatter(LineFormat.File).Write(destination, frame, header, parsed ? default : error, context);
        Assert.Equal((byte)'\n', destination[n - 1]);
        return Encoding.UTF8.GetString(destination, 0, n - 1);
    }
}
