using System.Buffers;
using System.Text;
using Forwarder.Enrichment;
using Forwarder.Parsing;
using Shared.Syslog;

namespace Forwarder.Tests.Enrichment;

public sealed class SyslogEncoderTests
{
    private const string ReadTime = "2026-05-06T07:08:09.123456+02:00";

    private static readonly SyslogEncoderOptions Options = new() { HostName = "node-1" };

    private static readonly PodIdentity Pod = new(
        "default",
        "web-7d9c8b6f5-x2x4z",
        "nginx",
        "3f2a9c1e5b7d4e6f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f",
        "0b6a1c2d-3e4f-5a6b-7c8d-9e0f1a2b3c4d");

    [Fact]
    public void WritesAMessageThatParsesBackToTheSameFields()
    {
        var (text, message) = Encode(new SyslogEncoder(Options, Pod, "nginx"), "GET / 200", LogStream.Stdout, "2026-01-01T00:00:00.000001000Z");

        Assert.Equal(
            "<14>1 2026-01-01T00:00:00.000001Z node-1 nginx - stdout [k8s@32473 namespace=\"default\" pod=\"web-7d9c8b6f5-x2x4z\" "
            + $"container=\"nginx\" container_id=\"{Pod.ContainerId}\" pod_uid=\"{Pod.PodUid}\"] GET / 200",
            text);
        Assert.Equal(new SyslogPriority(Facility.User, Severity.Informational), message.Priority);
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(10), message.Timestamp.Value);
        Assert.Equal("node-1", message.HostName);
        Assert.Equal("nginx", message.AppName);
        Assert.Null(message.ProcId);
        Assert.Equal("stdout", message.MsgId);
        var element = Assert.Single(message.StructuredData);
        Assert.Equal("k8s@32473", element.Id);
        Assert.Equal(
            [
                new("namespace", "default"),
                new("pod", Pod.Pod),
                new("container", "nginx"),
                new("container_id", Pod.ContainerId!),
                new("pod_uid", Pod.PodUid!)],
            element.Parameters);
        Assert.Equal("GET / 200", message.MessageText);
    }

    [Fact]
    public void StderrHasItsSeverityAndMsgIdAndUnknownStreamsHaveStdoutsWithoutMsgId()
    {
        var options = new SyslogEncoderOptions
        {
            HostName = "n",
            Facility = Facility.Local3,
            StdoutSeverity = Severity.Notice,
            StderrSeverity = Severity.Warning,
        };
        var encoder = new SyslogEncoder(options, Pod, "c");

        var (_, stderr) = Encode(encoder, "e", LogStream.Stderr);
        var (_, unknown) = Encode(encoder, "u", LogStream.Unknown);

        Assert.Equal((Facility.Local3, Severity.Warning, "stderr"), (stderr.Facility, stderr.Severity, stderr.MsgId));
        Assert.Equal((Facility.Local3, Severity.Notice, null), (unknown.Facility, unknown.Severity, unknown.MsgId));
    }

    [Theory]
    [InlineData("2026-01-01T00:00:00.123456789Z", "2026-01-01T00:00:00.123456Z")]
    [InlineData("2026-01-01T00:00:00.999999999Z", "2026-01-01T00:00:00.999999Z")]
    [InlineData("2026-01-01T00:00:00.1234567+05:30", "2026-01-01T00:00:00.123456+05:30")]
    [InlineData("2023-05-04T09:31:52.614416312-07:00", "2023-05-04T09:31:52.614416-07:00")]
    [InlineData("2026-01-01T00:00:00.5Z", "2026-01-01T00:00:00.5Z")]
    [InlineData("2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z")]
    [InlineData("2026-01-01t00:00:00.1z", "2026-01-01T00:00:00.1Z")]
    public void CutsTheRuntimesTimeToSixFractionDigitsKeepingItsOffset(string time, string expected)
    {
        var (text, message) = Encode(new SyslogEncoder(Options, null, "app"), "x", LogStream.Stdout, time);

        Assert.StartsWith($"<14>1 {expected} ", text, StringComparison.Ordinal);
        Assert.True(message.Timestamp.HasValue);
    }

    [Theory]
    [InlineData("")]
    [InlineData("yesterday")]
    [InlineData("2026-13-01T00:00:00Z")]
    [InlineData("2026-01-01T00:00:00.1234567890Z")]
    [InlineData("2026-01-01T00:00:00")]
    [InlineData("2026-01-01T00:00:00Z trailing")]
    public void AnEntryWithoutAValidTimeGetsTheTimeOfReading(string time)
    {
        var (text, _) = Encode(new SyslogEncoder(Options, null, "app"), "x", LogStream.Stdout, time);

        Assert.StartsWith($"<14>1 {ReadTime} node-1 app - stdout - x", text, StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutPodOrMarkersTheStructuredDataIsNil()
    {
        var (text, message) = Encode(new SyslogEncoder(Options, null, "app.log"), "plain", LogStream.Unknown);

        Assert.Equal($"<14>1 {ReadTime} node-1 app.log - - - plain", text);
        Assert.Empty(message.StructuredData);
    }

    [Fact]
    public void AnEmptyMessageIsLeftOutWithItsSpace()
    {
        var (text, message) = Encode(new SyslogEncoder(Options, null, "app"), "", LogStream.Stdout);

        Assert.Equal($"<14>1 {ReadTime} node-1 app - stdout -", text);
        Assert.False(message.HasMessage);
    }

    [Fact]
    public void MarksTruncatedPartialAndMalformedEntriesInOneElement()
    {
        var encoder = new SyslogEncoder(Options, Pod, "nginx");
        byte[] content = "cut"u8.ToArray();
        var entry = new LogEntry { Content = content, OriginalLength = 1_048_576, Partial = true, Malformed = true, Stream = LogStream.Unknown };

        var (text, message) = Encode(encoder, entry);

        Assert.EndsWith(
            $"pod_uid=\"{Pod.PodUid}\"]" +
            "[kube-syslog@32473 truncated=\"1048576\" partial=\"true\" malformed=\"true\"] cut",
            text,
            StringComparison.Ordinal);
        Assert.Equal(2, message.StructuredData.Count);
        var marker = message.StructuredData[1];
        Assert.Equal("kube-syslog@32473", marker.Id);
        Assert.Equal([new("truncated", "1048576"), new("partial", "true"), new("malformed", "true")], marker.Parameters);
        Assert.Equal("cut", message.MessageText);
    }

    [Fact]
    public void MarksAnEntryWithoutPodInAnElementOfItsOwn()
    {
        var entry = new LogEntry { Content = "x"u8, OriginalLength = 5, Stream = LogStream.Stdout };

        var (text, message) = Encode(new SyslogEncoder(Options, null, "app"), entry);

        Assert.Contains(" stdout [kube-syslog@32473 truncated=\"5\"] x", text, StringComparison.Ordinal);
        Assert.Equal("kube-syslog@32473", Assert.Single(message.StructuredData).Id);
    }

    [Fact]
    public void EscapesQuotesBackslashesAndBracketsInParameterValues()
    {
        var pod = new PodIdentity("n\"s", "p\\o", "c]x", null, null);

        var (text, message) = Encode(new SyslogEncoder(Options, pod, "c"), "m", LogStream.Stdout);

        Assert.Contains("[k8s@32473 namespace=\"n\\\"s\" pod=\"p\\\\o\" container=\"c\\]x\"]", text, StringComparison.Ordinal);
        Assert.Equal([new("namespace", "n\"s"), new("pod", "p\\o"), new("container", "c]x")], Assert.Single(message.StructuredData).Parameters);
    }

    [Fact]
    public void MakesHeaderFieldsValidAndCutsThemToTheirLengths()
    {
        var options = new SyslogEncoderOptions { HostName = new string('h', 300), StructuredDataId = "my id=\"x\"" };

        var (_, message) = Encode(new SyslogEncoder(options, Pod, "app name é " + new string('a', 60)), "m", LogStream.Stdout);

        Assert.Equal(new string('h', 255), message.HostName);
        Assert.Equal(48, message.AppName!.Length);
        Assert.StartsWith("app_name___", message.AppName, StringComparison.Ordinal);
        Assert.Equal("my_id__x_", message.StructuredData[0].Id);
    }

    [Fact]
    public void AnEmptyHostNameIsNil()
    {
        var (text, message) = Encode(new SyslogEncoder(new SyslogEncoderOptions(), null, ""), "m", LogStream.Stdout);

        Assert.Equal($"<14>1 {ReadTime} - - - stdout - m", text);
        Assert.Null(message.HostName);
    }

    [Fact]
    public void KeepsTheMessageBytesAsTheyAre()
    {
        byte[] content = [0xC3, 0xA9, (byte)'\t', 0, 0xFF, (byte)'\r', (byte)']'];
        var entry = new LogEntry { Content = content, OriginalLength = content.Length, Stream = LogStream.Stdout };

        var (_, message) = Encode(new SyslogEncoder(Options, Pod, "c"), entry);

        Assert.Equal(content, message.Message.ToArray());
        Assert.False(message.HasBom);
    }

    [Fact]
    public void AppendsToWhatTheBatchAlreadyHolds()
    {
        var encoder = new SyslogEncoder(Options, null, "app");
        var output = new ArrayBufferWriter<byte>(1);
        byte[] time = Encoding.ASCII.GetBytes(ReadTime);

        encoder.Encode(new LogEntry { Content = "one"u8, OriginalLength = 3 }, time, output);
        int first = output.WrittenCount;
        encoder.Encode(new LogEntry { Content = "two"u8, OriginalLength = 3 }, time, output);

        Assert.EndsWith(" one", Encoding.UTF8.GetString(output.WrittenSpan[..first]), StringComparison.Ordinal);
        Assert.EndsWith(" two", Encoding.UTF8.GetString(output.WrittenSpan[first..]), StringComparison.Ordinal);
    }

    private static (string Text, SyslogMessage Message) Encode(SyslogEncoder encoder, string content, LogStream stream, string time = "")
    {
        byte[] bytes = Encoding.UTF8.GetBytes(content);
        byte[] timeBytes = Encoding.UTF8.GetBytes(time);
        return Encode(encoder, new LogEntry { Content = bytes, OriginalLength = bytes.Length, Stream = stream, Timestamp = timeBytes });
    }

    private static (string Text, SyslogMessage Message) Encode(SyslogEncoder encoder, in LogEntry entry)
    {
        var output = new ArrayBufferWriter<byte>();
        encoder.Encode(entry, Encoding.ASCII.GetBytes(ReadTime), output);
        byte[] frame = output.WrittenSpan.ToArray();
        var status = Rfc5424Parser.TryParse(frame, out var header, out var error);
        Assert.True(status == OperationStatus.Done, $"{error}: {Encoding.UTF8.GetString(frame)}");
        return (Encoding.UTF8.GetString(frame), SyslogMessage.Create(frame, header));
    }
}
